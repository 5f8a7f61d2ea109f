package io.letterbox.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The broker's logging, set up in code because reading an XML file takes logback a fifth of a
 * second at each start. Quiet when all is well: on stderr one INFO line per topic or config change,
 * per group rebalance and per unclean start, WARN for what needs attention; libraries speak only to
 * warn; per-connection and per-partition detail is DEBUG.
 *
 * <p>Steps aside (for logback's usual search) when {@code -Dlogback.configurationFile} names a
 * file, which is how users and client commands choose their own, or when a {@code logback-test.xml}
 * is on the class path, as in the project's tests.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ServerLogging extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || ServerLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        context.getLogger("org.apache.ratis").setLevel(Level.WARN);
        // While a voter is down, Ratis logs a stack trace per reconnect try; the controller's
        // "Fencing broker N" line and the broker's heartbeat warning say it once.
        context.getLogger("org.apache.ratis.util.LifeCycle").setLevel(Level.OFF);
        context.getLogger("org.apache.ratis.server.leader.LogAppender").setLevel(Level.ERROR);
        context.getLogger("org.apache.ratis.client.impl.OrderedAsync").setLevel(Level.OFF);
        // Ratis warns of any half-second stall of the JVM or host (a busy machine): not a broker fault.
        context.getLogger("org.apache.ratis.util.JvmPauseMonitor").setLevel(Level.ERROR);
        // A Kafka client pointed at a controller port sends bytes Raft cannot parse: Netty would log a
        // stack trace per request.
        context.getLogger("org.apache.ratis.thirdparty.io.netty.channel.DefaultChannelPipeline").setLevel(Level.ERROR);
        context.getLogger("org.apache.kafka").setLevel(Level.WARN);
        context.getLogger("io.netty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
