/**
 * One bridge class in jupyter-jvm-basekernel's package (see {@link io.github.spencerpark.jupyter.kernel.ExecuteEnvironment}).
 */
package io.github.spencerpark.jupyter.kernel;
