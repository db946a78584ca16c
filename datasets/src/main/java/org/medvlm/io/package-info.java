/** File helpers shared by every module: atomic writes. */
package org.medvlm.io;
