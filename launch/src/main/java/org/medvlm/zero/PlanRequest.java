package org.medvlm.zero;

import java.util.Optional;

/**
 * What to plan: a model on a number of data-parallel GPUs, with a precision and optimizer, and
 * optionally a batch shape (for activations) and a GPU model (for a verdict and a recommendation).
 * Build it with {@link #of} and the {@code with...} methods, which return new values.
 *
 * @param model          parameter count, largest layer, decoder shape
 * @param gpus           data-parallel degree N_d
 * @param precision      how model states are stored
 * @param optimizer      which optimizer
 * @param workload       batch shape, when activations should be counted
 * @param gpu            the GPU to fit, when a verdict is wanted
 * @param gradientsFreed gradients released between steps ({@code zero_grad(set_to_none=True)}, PyTorch's
 *                       default since 2.0): 12 instead of 16 bytes per parameter stay allocated under AMP
 */
public record PlanRequest(ModelSize model, int gpus, Precision precision, Optimizer optimizer,
                          Optional<Workload> workload, Optional<Gpu> gpu, boolean gradientsFreed) {
    public PlanRequest {
        if (model == null) {
            throw new IllegalArgumentException("model is required");
        }
        if (gpus <= 0) {
            throw new IllegalArgumentException("GPU count must be positive, not " + gpus);
        }
        precision = precision == null ? Precision.MIXED : precision;
        optimizer = optimizer == null ? Optimizer.ADAM : optimizer;
        workload = workload == null ? Optional.empty() : workload;
        gpu = gpu == null ? Optional.empty() : gpu;
    }

    /** Mixed-precision Adam (K = 12), no workload, no GPU, gradients freed between steps. */
    public static PlanRequest of(ModelSize model, int gpus) {
        return new PlanRequest(model, gpus, Precision.MIXED, Optimizer.ADAM, Optional.empty(), Optional.empty(), true);
    }

    public PlanRequest withGpus(int n) {
        return new PlanRequest(model, n, precision, optimizer, workload, gpu, gradientsFreed);
    }

    public PlanRequest withPrecision(Precision p) {
        return new PlanRequest(model, gpus, p, optimizer, workload, gpu, gradientsFreed);
    }

    public PlanRequest withOptimizer(Optimizer o) {
        return new PlanRequest(model, gpus, precision, o, workload, gpu, gradientsFreed);
    }

    public PlanRequest withWorkload(Workload w) {
        return new PlanRequest(model, gpus, precision, optimizer, Optional.of(w), gpu, gradientsFreed);
    }

    public PlanRequest withGpu(Gpu g) {
        return new PlanRequest(model, gpus, precision, optimizer, workload, Optional.of(g), gradientsFreed);
    }

    public PlanRequest withGradientsFreed(boolean freed) {
        return new PlanRequest(model, gpus, precision, optimizer, workload, gpu, freed);
    }
}
