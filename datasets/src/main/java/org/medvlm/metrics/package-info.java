/**
 * Scoring MedVQA answers with the protocols peers publish: LLaVA-Med's closed accuracy (with its
 * published bug fixed, and the buggy variant for comparison) and open recall, normalised exact match,
 * the ImageCLEF VQA-Med evaluator's accuracy and BLEU, and PMC-VQA's multiple-choice accuracy.
 * {@link org.medvlm.metrics.Evaluation} is the front door; it returns an
 * {@link org.medvlm.metrics.EvaluationReport} with a Tablesaw view.
 */
package org.medvlm.metrics;
