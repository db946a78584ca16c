/**
 * Launched training runs: the toolkit plans a multi-process (multi-GPU, multi-node or Slurm) run, writes the
 * engine's configuration ({@code ds_config.json}), starts the engine's own launcher ({@code deepspeed},
 * {@code torchrun}, {@code srun}) or the ranks themselves, and follows the run through the same run directory and
 * events as a local Java run (FORMATS.md). The front door is {@link org.medvlm.launch.Launches}; commands are
 * composed as argument lists, never as shell strings built from user input (the one shell script, Slurm's batch
 * script, single-quotes every value). The Python trainer it starts lives in {@code launch/python/medvlm}.
 */
package org.medvlm.launch;
