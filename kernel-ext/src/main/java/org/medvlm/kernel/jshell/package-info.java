/**
 * Java evaluation for the notebook kernel: JShell in-process on the JDK's {@code LocalExecutionControl},
 * with real result objects and stoppable cells. Internal to the kernel.
 */
package org.medvlm.kernel.jshell;
