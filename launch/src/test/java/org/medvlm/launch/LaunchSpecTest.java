package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.medvlm.launch.LaunchSpec.Device;
import org.medvlm.launch.LaunchSpec.Engine;
import org.medvlm.launch.LaunchSpec.Launcher;
import org.medvlm.launch.LaunchSpec.Offload;
import org.medvlm.launch.LaunchSpec.Precision;

/** Launch settings: defaults, and contradictions refused in one line before anything runs. */
class LaunchSpecTest {
    static LaunchSpec spec(Launcher l, int gpus, Engine e, Integer zero, Offload off, Device d, Precision p) {
        return new LaunchSpec(l, gpus, null, 1, Optional.empty(), "", "", "", null, e, zero, off, d, p, false, false,
                false, "", "", "", "", "");
    }

    @Test
    void defaultsFollowTheLauncher() {
        LaunchSpec ds = spec(Launcher.DEEPSPEED, 8, null, null, null, null, null);
        assertEquals(Engine.DEEPSPEED, ds.engine());
        assertEquals(2, ds.stage());
        assertEquals(Device.CUDA, ds.device());
        assertEquals(Precision.BF16, ds.precision());
        LaunchSpec local = spec(Launcher.LOCAL, 0, null, null, null, null, null);
        assertEquals(Device.CPU, local.device());
        assertEquals(Precision.FP32, local.precision());
        assertEquals(Engine.DDP, local.engine());
        assertEquals(Engine.ZERO1, spec(Launcher.TORCHRUN, 4, null, 1, null, null, null).engine());
        assertEquals(Engine.FSDP, spec(Launcher.TORCHRUN, 4, null, 2, null, null, null).engine());
        assertEquals(2, spec(Launcher.TORCHRUN, 4, null, 2, null, null, null).stage());
    }

    @Test
    void contradictionsAreRefused() {
        assertMessage("--offload params needs --zero 3", () -> spec(Launcher.DEEPSPEED, 8, null, 2, Offload.PARAMS, null, null));
        assertMessage("--offload optimizer needs --zero 1, 2 or 3", () -> spec(Launcher.DEEPSPEED, 8, null, 0, Offload.OPTIMIZER, null, null));
        assertMessage("--offload is DeepSpeed's", () -> spec(Launcher.TORCHRUN, 8, Engine.FSDP, null, Offload.OPTIMIZER, null, null));
        assertMessage("--precision fp16 needs --device cuda", () -> spec(Launcher.LOCAL, 0, null, null, null, Device.CPU, Precision.FP16));
        assertMessage("--engine deepspeed needs GPUs", () -> spec(Launcher.LOCAL, 0, Engine.DEEPSPEED, null, null, Device.CPU, null));
        assertMessage("--engine zero1 is ZeRO stage 1", () -> spec(Launcher.LOCAL, 0, Engine.ZERO1, 3, null, null, null));
        assertMessage("--engine fsdp shards gradients", () -> spec(Launcher.TORCHRUN, 2, Engine.FSDP, 1, null, null, null));
        assertMessage("--include and --exclude cannot be used together", () -> new LaunchSpec(Launcher.DEEPSPEED, 8, null, 1,
                Optional.empty(), "a", "b", "", null, null, null, null, null, null, false, false, false, "", "", "", "", ""));
        assertMessage("--launcher is required", () -> spec(null, 0, null, null, null, null, null));
    }

    static void assertMessage(String start, org.junit.jupiter.api.function.Executable e) {
        String m = assertThrows(IllegalArgumentException.class, e).getMessage();
        assertTrue(m.startsWith(start), m);
        assertFalse(m.contains("\n"), m);
    }
}
