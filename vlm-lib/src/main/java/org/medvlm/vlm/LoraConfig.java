package org.medvlm.vlm;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.medvlm.layers.ConfigReader;

/**
 * LoRA adapters on the language model, in PEFT's {@code LoraConfig} names ({@code r}, {@code lora_alpha},
 * {@code lora_dropout}, {@code target_modules}): the update of a target Linear is {@code (lora_alpha / r) · B A}.
 *
 * @param r rank of the adapters (8)
 * @param alpha scale numerator {@code lora_alpha} (16)
 * @param dropout dropout on the adapters' input (0.05)
 * @param targetModules last key segments of the Linear layers that get adapters (BLOOM: {@code query_key_value},
 *     {@code dense})
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules) {
    public LoraConfig {
        targetModules = List.copyOf(targetModules);
        if (r <= 0 || r > 4096 || !(alpha > 0) || !(dropout >= 0 && dropout < 1) || targetModules.isEmpty()) {
            throw new IllegalArgumentException("lora_config needs r in 1..4096, lora_alpha > 0, lora_dropout in [0, 1) and"
                    + " target_modules, got r=" + r + " lora_alpha=" + alpha + " lora_dropout=" + dropout);
        }
    }

    /** PEFT-style defaults for BLOOM with rank {@code r}: alpha 2r, dropout 0.05, query_key_value and dense. */
    public static LoraConfig bloom(int r, double alpha, double dropout) {
        return new LoraConfig(r, alpha, dropout, List.of("query_key_value", "dense"));
    }

    /** Reads the composite's {@code lora_config}. */
    public static LoraConfig fromJson(ConfigReader c) {
        List<String> targets = new ArrayList<>();
        if (c.has("target_modules")) {
            for (var e : c.json().getAsJsonArray("target_modules")) {
                targets.add(e.getAsString());
            }
        } else {
            targets.addAll(List.of("query_key_value", "dense"));
        }
        return new LoraConfig(c.integer("r", 8, 1, 4096), c.number("lora_alpha", 16, 1e-9, 1e9),
                c.number("lora_dropout", 0.05, 0, 0.999), targets);
    }

    /** The {@code lora_config} object. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("r", r);
        o.addProperty("lora_alpha", alpha);
        o.addProperty("lora_dropout", dropout);
        JsonArray t = new JsonArray();
        targetModules.forEach(t::add);
        o.add("target_modules", t);
        return o;
    }
}
