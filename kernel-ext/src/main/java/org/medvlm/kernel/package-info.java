/**
 * The MedVLM Jupyter kernel: {@link org.medvlm.kernel.MedvlmKernel} starts it, {@link org.medvlm.kernel.JavaKernel}
 * runs cells, and notebook code reaches it through {@link org.medvlm.kernel.Notebook}.
 */
package org.medvlm.kernel;
