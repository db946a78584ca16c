/**
 * File helpers shared by every module: atomic writes; reading input files within the {@link org.medvlm.io.Limit}s
 * ({@link org.medvlm.io.InputFiles}, {@link org.medvlm.io.LineReader}, {@link org.medvlm.io.JsonInput},
 * {@link org.medvlm.io.JsonLines}) with errors that name the file.
 */
package org.medvlm.io;
