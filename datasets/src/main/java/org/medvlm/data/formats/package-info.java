/**
 * The readers of each distributed layout (VQA-RAD, SLAKE, PathVQA, VQA-Med, PMC-VQA, PMC-OA, ROCO, Hugging
 * Face parquet) and the helpers they share. Users go through {@link org.medvlm.data.VqaDataset#read()} and
 * {@link org.medvlm.data.CaptionDataset#read()}; the classes here may change without notice.
 */
package org.medvlm.data.formats;
