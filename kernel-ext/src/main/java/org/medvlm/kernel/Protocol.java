package org.medvlm.kernel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.ExecuteEnvironment;
import io.github.spencerpark.jupyter.kernel.JupyterIO;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishError;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteInput;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteResult;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import org.medvlm.kernel.jshell.EvalError;

/**
 * The requests the kernel answers itself instead of through jupyter-jvm-basekernel 2.3.0, whose replies
 * miss fields the protocol requires (measured with jupyter_kernel_test, see the fact sheet):
 * <ul>
 *   <li>kernel_info: the reply has no {@code status};</li>
 *   <li>history: dropped without a history manager, and entries serialise as objects, not tuples;</li>
 *   <li>execute: no {@code payload} (pager), {@code silent} ignored, no way to clear output.</li>
 * </ul>
 * Replies are built as JSON here, field by field, as the messaging spec names them.
 */
final class Protocol {
    private final JavaKernel kernel;

    private Protocol(JavaKernel kernel) {
        this.kernel = kernel;
    }

    /** Replaces the base library's handlers on {@code connection} (after {@code becomeHandlerForConnection}). */
    static void install(JavaKernel kernel, JupyterConnection connection) {
        Protocol p = new Protocol(kernel);
        connection.setHandler(MessageType.EXECUTE_REQUEST, p::execute);
        connection.setHandler(MessageType.KERNEL_INFO_REQUEST, p::kernelInfo);
        connection.setHandler(MessageType.HISTORY_REQUEST, p::history);
    }

    private void kernelInfo(ShellReplyEnvironment env, Message<KernelInfoRequest> request) {
        env.setBusyDeferIdle();
        JsonObject content = new JsonObject();
        content.addProperty("status", "ok");
        content.addProperty("protocol_version", Header.PROTOCOL_VERISON);
        content.addProperty("implementation", "medvlm");
        content.addProperty("implementation_version", JavaKernel.VERSION);
        content.add("language_info", kernel.languageInfoJson());
        content.addProperty("banner", kernel.getBanner());
        content.add("help_links", new JsonArray());
        env.defer().reply(message(request, MessageType.KERNEL_INFO_REPLY, content));
    }

    private void history(ShellReplyEnvironment env, Message<HistoryRequest> request) {
        HistoryRequest r = request.getContent();
        List<History.Entry> entries;
        if (r instanceof HistoryRequest.Tail t) {
            entries = kernel.history().tail(t.getMaxReturnLength());
        } else if (r instanceof HistoryRequest.Range range) {
            entries = kernel.history().range(range.getStart(), range.getStop());
        } else if (r instanceof HistoryRequest.Search s) {
            entries = kernel.history().search(s.getPattern(), s.getMaxReturnLength(), s.filterUnique());
        } else {
            entries = List.of();
        }
        JsonArray history = new JsonArray();
        for (History.Entry e : entries) {
            JsonArray tuple = new JsonArray();
            tuple.add(History.SESSION);
            tuple.add(e.line());
            if (r.includeOutput()) {
                JsonArray io = new JsonArray();
                io.add(e.input());
                io.add(e.output());
                tuple.add(io);
            } else {
                tuple.add(e.input());
            }
            history.add(tuple);
        }
        JsonObject content = new JsonObject();
        content.addProperty("status", "ok");
        content.add("history", history);
        env.reply(message(request, MessageType.HISTORY_REPLY, content));
    }

    private void execute(ShellReplyEnvironment env, Message<ExecuteRequest> request) {
        kernel.getCommManager().setMessageContext(request);
        ExecuteRequest req = request.getContent();
        boolean silent = req.isSilent();
        int count = silent ? kernel.executionCount() : kernel.nextExecutionCount();
        env.setBusyDeferIdle();
        if (!silent) {
            env.publish(new PublishExecuteInput(req.getCode(), count));
        }
        JupyterIO io = kernel.getIO();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ExecuteEnvironment.attach(io, env, req.isStdinEnabled());
        kernel.beginCell(env, count);
        CellStreams streams = kernel.streams();
        System.setOut(streams.stdout);
        System.setErr(streams.stderr);
        System.setIn(io.in);
        kernel.onAbort(() -> abort(env, request, count));
        JsonObject reply = new JsonObject();
        try {
            DisplayData result = DisplayLimits.bound(kernel.executeCell(req.getCode()));
            streams.flush();
            if (result != null && !silent) {
                env.publish(new PublishExecuteResult(count, result));
            }
            if (req.shouldStoreHistory() && !silent) {
                Object text = result == null ? null : result.getData(MIMEType.TEXT_PLAIN);
                kernel.history().add(count, req.getCode(), text == null ? "" : text.toString());
            }
            reply.addProperty("status", "ok");
            reply.addProperty("execution_count", count);
            reply.add("payload", kernel.takePayloads());
            reply.add("user_expressions", new JsonObject());
        } catch (EvalError | RuntimeException | Error failure) {
            // a RuntimeException here is a kernel bug, an Error a value too deep or too big to render (outside
            // JShell, which reports the cell's own); either way the client gets an error reply and never waits
            EvalError e = failure instanceof EvalError ee ? ee
                    : new EvalError("KernelError", String.valueOf(failure), List.of("kernel error: " + failure));
            streams.flush();
            if (req.shouldStoreHistory() && !silent) {
                kernel.history().add(count, req.getCode(), "");
            }
            env.publish(new PublishError(e.name(), e.getMessage(), e.lines()));
            kernel.takePayloads();
            errorReply(reply, count, e);
        } finally {
            kernel.onAbort(null);
            kernel.endCell();
            ExecuteEnvironment.detach(io, env);
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
        env.defer().reply(message(request, MessageType.EXECUTE_REPLY, reply));
    }

    private static void errorReply(JsonObject reply, int count, EvalError e) {
        reply.addProperty("status", "error");
        reply.addProperty("execution_count", count);
        reply.addProperty("ename", e.name());
        reply.addProperty("evalue", e.getMessage());
        JsonArray traceback = new JsonArray();
        e.lines().forEach(traceback::add);
        reply.add("traceback", traceback);
    }

    /**
     * The JVM is ending while this cell runs (it called System.exit where the exit guard is not available):
     * the error and the reply go out now, from the shutdown hook, so the front end is told why.
     */
    private void abort(ShellReplyEnvironment env, Message<ExecuteRequest> request, int count) {
        try {
            kernel.streams().end();
            String why = "the cell ended the JVM (System.exit), so the kernel is ending; this Java ("
                    + Runtime.version().feature() + ") gives the kernel no way to refuse it. Restart the kernel.";
            EvalError e = new EvalError("KernelExit", why, List.of("KernelExit: " + why));
            env.publish(new PublishError(e.name(), e.getMessage(), e.lines()));
            JsonObject reply = new JsonObject();
            errorReply(reply, count, e);
            env.reply(message(request, MessageType.EXECUTE_REPLY, reply));
            // the messages leave through ZeroMQ's I/O thread, which dies with the JVM
            Thread.sleep(300);
        } catch (RuntimeException | InterruptedException e) {
            // the JVM is going away regardless
        }
    }

    /** A reply whose content is hand-built JSON, with the request as parent. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Message<?> message(Message<?> request, MessageType<?> type, JsonObject content) {
        return new Message(request, type, content);
    }
}
