package org.medvlm.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medvlm.io.InputFiles;
import org.medvlm.io.Limit;

/**
 * A DeepSpeed hostfile ({@code worker-0 slots=4} per line, {@code #} comments), read with DeepSpeed's own rules and
 * messages ({@code deepspeed/launcher/runner.py}: {@code _parse_hostfile}, {@code parse_resource_filter}), so a file
 * DeepSpeed would refuse is refused here, before anything starts.
 *
 * @param slots host -> slot (GPU) indices, in file order
 */
public record Hostfile(Map<String, List<Integer>> slots) {
    private static final Pattern LINE = Pattern.compile("^(\\S+)\\s+slots=(\\d+)");
    /** Host names that are safe as ssh targets and in generated commands. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public Hostfile {
        Map<String, List<Integer>> copy = new LinkedHashMap<>();
        slots.forEach((h, s) -> copy.put(h, List.copyOf(s)));
        slots = java.util.Collections.unmodifiableMap(copy);
    }

    public static Hostfile read(Path file) throws IOException {
        // a hostfile is a few lines: a pipe, a device or a huge file is refused by name before it is read
        String text = InputFiles.readString(file, Limit.LINE_CHARS);
        return parse(text.lines().toList(), file.toString());
    }

    public static Hostfile parse(List<String> lines, String where) {
        Map<String, List<Integer>> pool = new LinkedHashMap<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                throw new IllegalArgumentException(where + ": Hostfile contains a bad entry: " + line + ", unable to proceed with launching");
            }
            String host = m.group(1);
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException(where + ": host name '" + host + "' has characters a host name cannot have");
            }
            if (pool.containsKey(host)) {
                throw new IllegalArgumentException(where + ": Hostfile contains multiple entries for " + host + ", unable to proceed with launching");
            }
            int n;
            try {
                n = Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": Hostfile contains a bad entry: " + line + ", unable to proceed with launching");
            }
            List<Integer> s = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                s.add(i);
            }
            pool.put(host, s);
        }
        if (pool.isEmpty()) {
            throw new IllegalArgumentException(where + ": Hostfile is empty or not formatted correctly, unable to proceed with launching.");
        }
        return new Hostfile(pool);
    }

    /** The hosts and slots DeepSpeed would use with --include or --exclude (NODE[:SLOT[,SLOT...]][@...]). */
    public Hostfile filter(String include, String exclude) {
        if (!include.isEmpty() && !exclude.isEmpty()) {
            throw new IllegalArgumentException("include_str and exclude_str are mutually exclusive.");
        }
        if (include.isEmpty() && exclude.isEmpty()) {
            return this;
        }
        boolean inc = !include.isEmpty();
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        if (!inc) {
            slots.forEach((h, s) -> out.put(h, new ArrayList<>(s)));
        }
        for (Map.Entry<String, List<Integer>> e : nodeConfigs(inc ? include : exclude).entrySet()) {
            String host = e.getKey();
            if (!slots.containsKey(host)) {
                throw new IllegalArgumentException("Hostname '" + host + "' not found in hostfile");
            }
            if (!e.getValue().isEmpty()) {
                for (int slot : e.getValue()) {
                    if (!slots.get(host).contains(slot)) {
                        throw new IllegalArgumentException("No slot '" + slot + "' specified on host '" + host + "'");
                    }
                }
                if (inc) {
                    out.put(host, new ArrayList<>(e.getValue()));
                } else {
                    out.get(host).removeAll(e.getValue());
                }
            } else if (inc) {
                out.put(host, new ArrayList<>(slots.get(host)));
            } else {
                out.put(host, new ArrayList<>());
            }
        }
        out.values().removeIf(List::isEmpty);
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--include/--exclude leave no GPU to run on");
        }
        return new Hostfile(out);
    }

    /** The first {@code nodes} hosts and the first {@code gpus} slots of each (-1: all), as --num_nodes/--num_gpus. */
    public Hostfile limit(int nodes, int gpus) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> e : slots.entrySet()) {
            if (nodes > 0 && out.size() >= nodes) {
                break;
            }
            List<Integer> s = e.getValue();
            out.put(e.getKey(), gpus > 0 ? s.subList(0, Math.min(gpus, s.size())) : s);
        }
        return new Hostfile(out);
    }

    private static Map<String, List<Integer>> nodeConfigs(String spec) {
        Map<String, TreeSet<Integer>> m = new LinkedHashMap<>();
        for (String node : spec.split("@")) {
            String host = node;
            TreeSet<Integer> s = m.computeIfAbsent(node.contains(":") ? node.substring(0, node.indexOf(':')) : node, k -> new TreeSet<>());
            if (node.contains(":")) {
                host = node.substring(0, node.indexOf(':'));
                for (String x : node.substring(node.indexOf(':') + 1).split(",")) {
                    try {
                        s.add(Integer.parseInt(x.strip()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--include/--exclude: slot '" + x + "' of host " + host + " is not a number");
                    }
                }
            }
        }
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        m.forEach((h, s) -> out.put(h, new ArrayList<>(s)));
        return out;
    }

    public List<String> hosts() {
        return List.copyOf(slots.keySet());
    }

    /** Processes DeepSpeed starts: one per slot. */
    public int worldSize() {
        return slots.values().stream().mapToInt(List::size).sum();
    }

    /** The slots of the host with the fewest, which is what torchrun's --nproc_per_node can use on every host. */
    public int minSlots() {
        return slots.values().stream().mapToInt(List::size).min().orElse(0);
    }
}
