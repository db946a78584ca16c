/** The kernel's side of the Jupyter wire: the base library's channels without its polling sleep. */
package org.medvlm.kernel.wire;
