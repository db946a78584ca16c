/**
 * Outputs that update in place from notebook code: {@link org.medvlm.kernel.live.LiveChart} (a loss
 * curve), {@link org.medvlm.kernel.live.LiveProgress} (a progress bar with ETA), the throttled
 * {@link org.medvlm.kernel.live.LiveDisplay} under both, and {@link org.medvlm.kernel.live.RunView}, the
 * view of a training run that {@code %%train} and {@code %train attach} stream into.
 */
package org.medvlm.kernel.live;
