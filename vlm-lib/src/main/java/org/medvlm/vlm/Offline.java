package org.medvlm.vlm;

/** DJL must never download (engines, tokenizer natives): the toolkit runs where there is no network. */
final class Offline {
    private Offline() {}

    static void ensure() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }
}
