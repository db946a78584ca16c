/**
 * Outputs that update in place from notebook code: {@link org.medvlm.kernel.live.LiveChart} (a loss
 * curve), {@link org.medvlm.kernel.live.LiveProgress} (a progress bar with ETA), and the throttled
 * {@link org.medvlm.kernel.live.LiveDisplay} under both.
 */
package org.medvlm.kernel.live;
