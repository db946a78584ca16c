/**
 * The {@code medvlm} command line: one picocli command per feature, shared with the notebook kernel's
 * magics through {@link org.medvlm.cli.Display}.
 */
package org.medvlm.cli;
