/** File helpers shared by every module: atomic writes, JSON Lines reading. */
package org.medvlm.io;
