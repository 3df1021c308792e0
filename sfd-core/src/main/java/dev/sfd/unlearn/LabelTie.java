package dev.sfd.unlearn;

import dev.sfd.SfdException;
import dev.sfd.diffusion.LabelEmbedding;
import dev.sfd.diffusion.ScoreNetwork;
import dev.sfd.tensor.Tensor;

/**
 * Ties each forgotten label's embedding column to its override class's column, so that the network answers the
 * forgotten label exactly as it answers the override label, and keeps doing so under fine-tuning that never shows
 * the forgotten label.
 *
 * <p>Why this makes forgetting survive relearning (DiMRA: Yuan et al., "Towards Irreversible Machine
 * Unlearning for Diffusion Models", which fine-tunes the unlearned model on data without the forgotten class): in a
 * network whose one-hot label enters linearly, column {@code c} of the embedding weight is multiplied by the label's
 * entry {@code c}, which is zero for every sample of another class. Fine-tuning on data without class {@code c}
 * therefore leaves the forgotten column exactly where unlearning put it (Adam's update of a parameter entry whose
 * gradient is always zero is zero). Plain SFD leaves that column close to the teacher's T-shirt embedding and bends
 * the shared weights so that it draws the override; retain-only fine-tuning straightens the shared weights and the
 * old embedding draws T-shirts again. With the tie, the forgotten column holds the override class's embedding, so
 * straightening the shared weights brings back the override, not the forgotten class.
 *
 * <p>What it does not do: the shared weights still know the forgotten class (another route to it, such as a few
 * real images of it under the forgotten label, relearns it); see docs/results/relearning.md.
 */
public final class LabelTie {
    private LabelTie() {}

    /**
     * Copies, for every forgotten class of {@code plan}, the override class's embedding column over the forgotten
     * one, in place.
     *
     * @throws SfdException when {@code net} has no linear label embedding or a class of the plan is outside it
     */
    public static void apply(ScoreNetwork net, ForgetPlan plan) {
        LabelEmbedding emb = require(net, plan);
        Tensor w = emb.weight().data();
        for (int f : plan.forgetClasses()) {
            int from = emb.column(plan.overrideOf(f));
            int to = emb.column(f);
            Tensor src = new Tensor(w.storage(), new int[] {w.dim(0), 1}, w.strides(), w.offset() + from * w.strides()[1]);
            Tensor dst = new Tensor(w.storage(), new int[] {w.dim(0), 1}, w.strides(), w.offset() + to * w.strides()[1]);
            w.backend().copy(src, dst);
        }
    }

    /** True when every forgotten class's column equals its override's column bit for bit. */
    public static boolean isTied(ScoreNetwork net, ForgetPlan plan) {
        LabelEmbedding emb = require(net, plan);
        Tensor w = emb.weight().data();
        int rows = w.dim(0);
        double[] all = w.dense().toDoubleArray();
        int cols = w.dim(1);
        for (int f : plan.forgetClasses()) {
            int a = emb.column(f), b = emb.column(plan.overrideOf(f));
            for (int r = 0; r < rows; r++) {
                if (Double.doubleToLongBits(all[r * cols + a]) != Double.doubleToLongBits(all[r * cols + b])) return false;
            }
        }
        return true;
    }

    private static LabelEmbedding require(ScoreNetwork net, ForgetPlan plan) {
        LabelEmbedding emb = net.labelEmbedding();
        if (emb == null) {
            throw new SfdException("label tie: " + net.describe() + " has no linear label embedding to tie (the robust recipe needs one; "
                    + "SongUNet's map_label is one)");
        }
        if (plan.forgetClasses().length == 0) throw new SfdException("label tie: the plan forgets no class");
        plan.validate(emb.classes());
        return emb;
    }
}
