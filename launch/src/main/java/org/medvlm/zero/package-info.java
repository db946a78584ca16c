/**
 * The ZeRO memory planner: how many bytes a training run needs per GPU for each ZeRO stage, whether
 * that fits a GPU, which configuration to pick, and DeepSpeed's own estimators reproduced exactly.
 *
 * <p>Units: every record field ending in {@code Bytes} is a byte count. Printed figures follow the
 * source they reproduce: the ZeRO paper's "GB" are 10^9 bytes, DeepSpeed's "GB" are GiB (2^30 bytes);
 * {@link org.medvlm.zero.Units} prints both where they differ.
 *
 * <p>Entry points: {@link org.medvlm.zero.ZeroPlanner#plan}, {@link org.medvlm.zero.DeepSpeedEstimator},
 * {@link org.medvlm.zero.ModelDescriptions#read}, {@link org.medvlm.zero.DeepSpeedConfig}.
 */
package org.medvlm.zero;
