package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DeepSpeed's hostfile rules and messages (deepspeed/launcher/runner.py), checked before anything starts. */
class HostfileTest {
    static final Hostfile HOSTS = Hostfile.parse(List.of("# two nodes", "worker-0 slots=4", "", "worker-1 slots=4  # more",
            "worker-2 slots=2"), "hosts");

    @Test
    void readsHostsAndSlots() {
        assertEquals(List.of("worker-0", "worker-1", "worker-2"), HOSTS.hosts());
        assertEquals(10, HOSTS.worldSize());
        assertEquals(List.of(0, 1, 2, 3), HOSTS.slots().get("worker-1"));
    }

    @Test
    void refusesWhatDeepSpeedRefusesInItsWords() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Hostfile.parse(List.of("worker-0 4"), "h"));
        assertEquals("h: Hostfile contains a bad entry: worker-0 4, unable to proceed with launching", bad.getMessage());
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> Hostfile.parse(List.of("a slots=1", "a slots=2"), "h"));
        assertEquals("h: Hostfile contains multiple entries for a, unable to proceed with launching", dup.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Hostfile.parse(List.of("# nothing"), "h"));
        assertEquals("h: Hostfile is empty or not formatted correctly, unable to proceed with launching.", empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Hostfile.parse(List.of("$(reboot) slots=1"), "h"));
    }

    @Test
    void includeAndExcludeFilterAsDeepSpeedDoes() {
        assertEquals(Map.of("worker-0", List.of(0, 2), "worker-2", List.of(0, 1)),
                HOSTS.filter("worker-0:0,2@worker-2", "").slots());
        Hostfile ex = HOSTS.filter("", "worker-1@worker-0:3");
        assertEquals(Map.of("worker-0", List.of(0, 1, 2), "worker-2", List.of(0, 1)), ex.slots());
        assertEquals("Hostname 'nope' not found in hostfile",
                assertThrows(IllegalArgumentException.class, () -> HOSTS.filter("nope", "")).getMessage());
        assertEquals("No slot '7' specified on host 'worker-2'",
                assertThrows(IllegalArgumentException.class, () -> HOSTS.filter("worker-2:7", "")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> HOSTS.filter("worker-0", "worker-1"));
    }

    @Test
    void numNodesAndGpusTakeTheFirstOnes() {
        Hostfile h = HOSTS.limit(2, 3);
        assertEquals(List.of("worker-0", "worker-1"), h.hosts());
        assertEquals(6, h.worldSize());
    }
}
