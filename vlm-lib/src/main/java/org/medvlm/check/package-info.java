/**
 * Checking a model against reference outputs (what {@code medvlm check} runs): a small
 * {@link org.medvlm.check.ModelCheck} per {@code model_type}, one registry of them in
 * {@link org.medvlm.check.ModelChecks}, and the {@link org.medvlm.check.CheckResult} they return.
 */
package org.medvlm.check;
