/**
 * What a notebook imports to work with MedVQA and caption data: the records ({@link org.medvlm.data.VqaExample},
 * {@link org.medvlm.data.CaptionPair}), the front doors {@link org.medvlm.data.VqaDataset#read()} and
 * {@link org.medvlm.data.CaptionDataset#read()}, and the {@link org.medvlm.data.LoadReport} every load returns.
 *
 * <pre>{@code
 * VqaDataset slake = VqaDataset.read().lang("en").slake(Path.of("Slake1.0"));
 * slake.report();                       // what was skipped, which images are missing
 * slake.countBy("split", "answer_type"); // a Tablesaw table
 * slake.where("modality", "CT").thumbnails(12);
 * }</pre>
 */
package org.medvlm.data;
