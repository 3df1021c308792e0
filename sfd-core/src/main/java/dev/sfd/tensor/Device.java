package dev.sfd.tensor;

/** Where a tensor's storage lives. */
public enum Device { CPU, CUDA }
