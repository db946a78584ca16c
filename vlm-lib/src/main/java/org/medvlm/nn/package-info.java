/**
 * The few layers the model files share (linear, LayerNorm, activations), as small values holding
 * their checkpoint tensors. They add no names of their own: a model file passes the checkpoint key.
 */
package org.medvlm.nn;
