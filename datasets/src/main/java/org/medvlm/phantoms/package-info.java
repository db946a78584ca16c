/**
 * The built-in synthetic dataset: procedurally drawn CT, MR and X-ray slices with lesions of known organ,
 * side, count and size, and closed and open questions about them. {@link org.medvlm.phantoms.Phantoms} is
 * the front door.
 */
package org.medvlm.phantoms;
