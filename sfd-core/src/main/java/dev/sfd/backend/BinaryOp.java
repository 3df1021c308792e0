package dev.sfd.backend;

/** Elementwise binary primitives with numpy broadcasting. */
public enum BinaryOp { ADD, SUB, MUL, DIV, MAX, MIN, POW }
