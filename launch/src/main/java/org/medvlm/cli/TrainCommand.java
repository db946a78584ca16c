package org.medvlm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code medvlm train}: placeholder until the training issues land. It already accepts the grammar the
 * notebook uses ({@code %%train} passes its body as {@code --settings FILE}; {@code %train status|stop|attach
 * RUN}) so both refuse with the same clear message instead of a usage error.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains the VLM: local and launched runs (not available yet).",
            // picocli formats descriptions: a % is written %%
            "In a notebook: %%%%train with the run's settings as the cell body; %%train status|stop|attach RUN."})
final class TrainCommand implements Callable<Integer> {
    @Parameters(arity = "0..2", paramLabel = "ACTION [RUN]", description = "status, stop or attach, and the run's name.")
    List<String> action = new ArrayList<>();

    @Option(names = "--settings", paramLabel = "FILE", description = "The run's settings (model, data, stage, GPUs, steps ...).")
    Path settings;

    @Override
    public Integer call() {
        throw new UserError("training is not available yet: local and launched runs arrive with the training issues;"
                + " until then %%train and 'medvlm train' only check their arguments");
    }
}
