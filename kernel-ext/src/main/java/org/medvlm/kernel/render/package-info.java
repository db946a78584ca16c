/** How the toolkit's values (charts, tables, images, result records) look in a notebook. */
package org.medvlm.kernel.render;
