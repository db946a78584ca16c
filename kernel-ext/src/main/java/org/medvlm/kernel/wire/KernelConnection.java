package org.medvlm.kernel.wire;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import java.security.GeneralSecurityException;
import org.zeromq.ZMQ;

/**
 * The base library's connection with its two polling shell loops replaced by {@link BlockingShellChannel}s.
 * Heartbeat, stdin and iopub are the library's own. The library's unbound shell sockets are closed
 * with it and never bound, because {@link #connect()} binds ours on their ports.
 */
public final class KernelConnection extends JupyterConnection {
    private final KernelConnectionProperties props;
    private final ZMQ.Context ctx = ZMQ.context(1);
    private final BlockingShellChannel fastShell;
    private final BlockingShellChannel fastControl;
    private volatile boolean closed;

    public KernelConnection(KernelConnectionProperties props) throws GeneralSecurityException {
        super(props);
        this.props = props;
        this.fastShell = new BlockingShellChannel(ctx, props.createHMACGenerator(), false, this);
        this.fastControl = new BlockingShellChannel(ctx, props.createHMACGenerator(), true, this);
    }

    @Override
    public void connect() {
        heartbeat.bind(props);
        fastShell.bind(props);
        fastControl.bind(props);
        stdin.bind(props);
        iopub.bind(props);
        getIOPub().sendMessage(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.STARTING));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        fastShell.close();
        fastControl.close();
        super.close();
        ctx.close();
    }

    @Override
    public void waitUntilClose() {
        fastShell.waitUntilClose();
        fastControl.waitUntilClose();
        super.waitUntilClose();
    }
}
