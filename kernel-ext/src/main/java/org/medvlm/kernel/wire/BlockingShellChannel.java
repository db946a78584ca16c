package org.medvlm.kernel.wire;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.zeromq.ZMQ;

/**
 * A shell (or control) channel that waits in ZeroMQ's poll until a request arrives, instead of the base
 * library's {@code poll(0)} followed by a 50 ms sleep. That sleep is paid by every request (IJava's
 * ~80 ms per trivial cell, ~50 ms per kernel_info); here a request is picked up as soon as it lands.
 */
final class BlockingShellChannel extends ShellChannel {
    /** How long one poll blocks before the loop checks whether it should stop. */
    private static final long POLL_MS = 200;
    private static final Logger LOG = Logger.getLogger(BlockingShellChannel.class.getName());

    private final JupyterConnection connection;
    private final boolean control;
    private volatile boolean running;
    private Thread loop;

    BlockingShellChannel(ZMQ.Context ctx, HMACGenerator hmac, boolean control, JupyterConnection connection) {
        super(ctx, hmac, control, connection, 0);
        this.connection = connection;
        this.control = control;
    }

    @Override
    public void bind(KernelConnectionProperties props) {
        int port = control ? props.getControlPort() : props.getShellPort();
        bind(formatAddress(props.getTransport(), props.getIp(), port));
        ZMQ.Poller poller = ctx.poller(1);
        poller.register(this, ZMQ.Poller.POLLIN);
        running = true;
        loop = new Thread(() -> {
            while (running) {
                if (poller.poll(POLL_MS) > 0 && running) {
                    handle(readMessage());
                }
            }
        }, control ? "medvlm-control" : "medvlm-shell");
        loop.start();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handle(Message message) {
        ShellHandler handler = connection.getHandler(message.getHeader().getType());
        if (handler == null) {
            LOG.fine(() -> "no handler for " + message.getHeader().getType().getName());
            return;
        }
        ShellReplyEnvironment env = connection.prepareReplyEnv(this, message);
        try {
            handler.handle(env, message);
        } catch (RuntimeException | Error e) {
            // one bad request must not take the kernel down; the client sees no reply and times out
            LOG.log(Level.WARNING, "failed to handle " + message.getHeader().getType().getName(), e);
        } finally {
            env.resolveDeferrals();
        }
        if (env.isMarkedForShutdown()) {
            running = false;
            new Thread(connection::close, "medvlm-shutdown").start();
        }
    }

    @Override
    public void close() {
        running = false;
        if (loop != null && loop != Thread.currentThread()) {
            try {
                loop.join(2 * POLL_MS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        super.close();
    }

    @Override
    public void waitUntilClose() {
        Thread t = loop;
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
