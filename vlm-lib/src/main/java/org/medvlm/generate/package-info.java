/**
 * Text generation over any {@link org.medvlm.generate.CausalLm}: greedy, beam search, and temperature / top-k /
 * top-p sampling with a seed, stop tokens, a token budget and batched left-padded prompts, in one readable loop
 * ({@link org.medvlm.generate.Generator}). Each decoding step runs inside its own NDManager sub-manager, so native
 * memory stays flat however many tokens are generated.
 */
package org.medvlm.generate;
