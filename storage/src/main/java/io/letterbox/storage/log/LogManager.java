package io.letterbox.storage.log;

import io.letterbox.storage.checkpoint.AtomicFile;
import io.letterbox.storage.checkpoint.CorruptCheckpointException;
import io.letterbox.storage.checkpoint.OffsetCheckpointFile;
import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Owns the log directories ({@code log.dirs}) and the partition logs in them. Each log directory holds:
 *
 * <pre>
 * .lock                               exclusive lock (FileChannel.tryLock) held while open
 * .clean-shutdown                     present only after a clean close; removed once opened
 * recovery-point-offset-checkpoint    per partition: offset below which data is fsynced (Kafka format)
 * log-start-offset-checkpoint         per partition: log start offset (Kafka format)
 * cleaner-offset-checkpoint           per compacted partition: where its dirty part starts ({@link LogCleaner})
 * &lt;topic&gt;-&lt;partition&gt;/               one {@link Log} each
 * &lt;topic&gt;-&lt;partition&gt;.&lt;id&gt;-delete/       a log being deleted; removed at the next open
 * </pre>
 *
 * <p>Opening recovers every log: after a clean shutdown nothing is scanned; otherwise each log is
 * checked from the segment holding its recovery point (CRCs only past that point), its torn tail cut
 * and its indexes and producer state rebuilt. The directories load at the same time, each on its own
 * {@code num.recovery.threads.per.data.dir} threads, one log per task.
 * {@link #checkpoint()} and {@link #close()} are durable when they return; {@link #close()} is the clean
 * shutdown (everything fsynced, producer snapshots, checkpoints, marker).
 *
 * <p>A new log goes to the directory holding the fewest logs (the first of those, in {@code log.dirs}
 * order); an existing one stays in the directory that holds it.
 *
 * <p>Segments that logs delete are removed after {@code file.delete.delay.ms} on the scheduler given to
 * {@link #open(List, Map, Time, int, ScheduledExecutorService)} (at once without one); those still
 * waiting at {@link #close()} are removed then.
 *
 * <p>Thread-safety: all methods are thread-safe; creation and deletion of logs are serialized.
 */
public final class LogManager implements Closeable {

    public static final String LOCK_FILE = ".lock";
    public static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    public static final String DELETE_SUFFIX = "-delete";

    /** The broker keeps its metadata log here, beside the partitions; not a partition directory. */
    public static final String METADATA_DIR = "metadata";

    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    /** Most logs created at once: creating one mostly waits on fsyncs. */
    private static final int CREATE_THREADS = 8;

    /** Loading a directory that takes longer than this is worth a log line even after a clean shutdown. */
    private static final long SLOW_LOAD_MS = 1000;

    private final List<Path> logDirs;
    private final Map<String, String> topicDefaults;
    private final LogConfig defaultConfig;
    private final Time time;
    private final List<FileChannel> lockChannels;
    private final Map<TopicPartition, Log> logs = new ConcurrentHashMap<>();
    private final SegmentDeleter deleter;
    private final GroupCommit groupCommit;
    private final Object checkpointLock = new Object();
    /** Directories taken offline by an I/O error; they stay offline until the next open. */
    private final Set<Path> offlineDirs = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Path>> offlineListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** The longest any directory took to load at open. */
    private final AtomicLong loadMillis = new AtomicLong();

    private LogManager(List<Path> logDirs, Map<String, String> topicDefaults, LogConfig defaultConfig, Time time,
                       List<FileChannel> lockChannels, SegmentDeleter deleter) {
        this.logDirs = logDirs;
        this.topicDefaults = topicDefaults;
        this.defaultConfig = defaultConfig;
        this.time = time;
        this.lockChannels = lockChannels;
        this.deleter = deleter;
        this.groupCommit = new GroupCommit("letterbox-group-commit");
    }

    /** Whether group commit may make several logs durable with one sync of their file system (on by default). */
    public void fileSystemSync(boolean enabled) {
        groupCommit.fileSystemSync(enabled);
    }

    /** Opens with one recovery thread per directory; deleted segments are removed at once. */
    public static LogManager open(List<Path> logDirs, Map<String, String> topicDefaults) {
        return open(logDirs, topicDefaults, Time.SYSTEM);
    }

    public static LogManager open(List<Path> logDirs, Map<String, String> topicDefaults, Time time) {
        return open(logDirs, topicDefaults, time, 1, null);
    }

    /**
     * Locks, recovers and opens every log in {@code logDirs}.
     *
     * @param topicDefaults topic-level keys (e.g. {@code segment.bytes}) used for logs without overrides
     * @param recoveryThreadsPerDir threads that open the logs of each directory
     * @param scheduler runs the delayed removal of deleted segments; owned by the caller, who shuts it down
     *                  after {@link #close()}; null removes them at once
     * @throws LogDirLockedException if a directory is used by another process or LogManager
     * @throws org.apache.kafka.common.errors.InvalidConfigurationException for a bad default
     * @throws KafkaStorageException on an I/O failure
     */
    public static LogManager open(List<Path> logDirs, Map<String, String> topicDefaults, Time time,
                                  int recoveryThreadsPerDir, ScheduledExecutorService scheduler) {
        return open(logDirs, topicDefaults, time, recoveryThreadsPerDir, scheduler, () -> { });
    }

    /**
     * As {@link #open(List, Map, Time, int, ScheduledExecutorService)}, running {@code alongside} on the calling
     * thread once every directory is locked, while the logs load on the recovery threads (the broker starts
     * its metadata log, kept in a log directory, meanwhile). If {@code alongside} fails, the loaded logs are
     * closed cleanly and its exception is thrown; a failure to load the logs wins over it.
     */
    public static LogManager open(List<Path> logDirs, Map<String, String> topicDefaults, Time time,
                                  int recoveryThreadsPerDir, ScheduledExecutorService scheduler, Runnable alongside) {
        if (logDirs.isEmpty()) {
            throw new IllegalArgumentException("At least one log directory is required");
        }
        if (recoveryThreadsPerDir < 1) {
            throw new IllegalArgumentException("recoveryThreadsPerDir must be at least 1");
        }
        LogConfig defaultConfig = LogConfig.of(Map.of(), topicDefaults);
        List<Path> dirs = logDirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
        List<FileChannel> locks = new ArrayList<>();
        LogManager manager = null;
        RuntimeException alongsideFailure;
        try {
            for (Path dir : dirs) {
                locks.add(lock(dir));
            }
            manager = new LogManager(dirs, Map.copyOf(topicDefaults), defaultConfig, time, locks,
                    scheduler == null ? SegmentDeleter.IMMEDIATE : new SegmentDeleter(scheduler));
            alongsideFailure = manager.loadDirs(recoveryThreadsPerDir, alongside);
            if (alongsideFailure == null) {
                for (Path dir : dirs) {
                    Files.deleteIfExists(dir.resolve(CLEAN_SHUTDOWN_FILE));
                    AtomicFile.fsyncDirectory(dir);
                }
                return manager;
            }
        } catch (IOException | RuntimeException e) {
            if (manager != null) {
                manager.crash();
            } else {
                releaseLocks(locks);
            }
            if (e instanceof IOException io) {
                throw new KafkaStorageException("Could not open log directories " + dirs + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        // The logs loaded well: leave them as a clean shutdown does, marker included.
        manager.close();
        throw alongsideFailure;
    }

    private static FileChannel lock(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        String message = "Another Letterbox process is using " + dir + " (could not lock " + lockFile
                + "); stop it or choose another log.dirs";
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new LogDirLockedException(message);
            }
            return ch;
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new LogDirLockedException(message, e);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    private static void releaseLocks(List<FileChannel> channels) {
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.warn("Could not release a log directory lock", e);
            }
        }
    }

    private static Map<TopicPartition, Long> readCheckpoint(Path file) throws IOException {
        try {
            return new OffsetCheckpointFile(file).read();
        } catch (CorruptCheckpointException e) {
            LOG.warn("{}; recovering every log in {} from the start", e.getMessage(), file.getParent());
            return Map.of();
        }
    }

    /**
     * Opens the logs of every directory at once, each directory on its own threads, and meanwhile runs
     * {@code alongside} on this thread; returns what that threw, or null.
     */
    private RuntimeException loadDirs(int threadsPerDir, Runnable alongside) throws IOException {
        List<ExecutorService> pools = new ArrayList<>();
        List<CompletableFuture<List<Log>>> dirLoads = new ArrayList<>();
        try {
            for (int i = 0; i < logDirs.size(); i++) {
                ExecutorService pool = Executors.newFixedThreadPool(threadsPerDir,
                        namedThreads("letterbox-recovery-" + i + "-"));
                pools.add(pool);
                dirLoads.add(loadDir(logDirs.get(i), pool));
            }
            RuntimeException alongsideFailure = null;
            try {
                alongside.run();
            } catch (RuntimeException e) {
                alongsideFailure = e;
            }
            Throwable failure = null;
            for (CompletableFuture<List<Log>> load : dirLoads) {
                try {
                    for (Log log : load.join()) {
                        log.setDirFailureListener(this::onLogDirFailure);
                        Log other = logs.putIfAbsent(log.topicPartition(), log);
                        if (other != null) {
                            log.close();
                            failure = failure != null ? failure : new IllegalStateException("Partition "
                                    + log.topicPartition() + " has a log in both " + other.dir() + " and " + log.dir());
                        }
                    }
                } catch (CompletionException e) {
                    failure = failure != null ? failure : e.getCause();
                }
            }
            if (failure instanceof IOException io) {
                throw io;
            } else if (failure instanceof RuntimeException re) {
                throw re;
            } else if (failure != null) {
                throw new IllegalStateException("Loading the logs failed: " + failure, failure);
            }
            return alongsideFailure;
        } finally {
            pools.forEach(ExecutorService::shutdown);
        }
    }

    /**
     * Opens every log of {@code dir} on {@code pool}. The future fails with the first failure, after the
     * other logs of the directory have opened and been closed again.
     */
    private CompletableFuture<List<Log>> loadDir(Path dir, ExecutorService pool) throws IOException {
        long startNs = System.nanoTime();
        boolean clean = Files.exists(dir.resolve(CLEAN_SHUTDOWN_FILE));
        Map<TopicPartition, Long> recoveryPoints = readCheckpoint(dir.resolve(RECOVERY_POINT_CHECKPOINT));
        Map<TopicPartition, Long> startOffsets = readCheckpoint(dir.resolve(LOG_START_OFFSET_CHECKPOINT));
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.filter(Files::isDirectory).sorted().toList();
        }
        List<CompletableFuture<Log>> opening = new ArrayList<>();
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (name.equals(METADATA_DIR)) {
                continue;
            }
            if (name.endsWith(DELETE_SUFFIX)) {
                LOG.info("Removing {} left by an unfinished delete", child);
                Log.deleteRecursively(child);
                continue;
            }
            TopicPartition tp;
            try {
                tp = Log.parseTopicPartition(name);
            } catch (IllegalArgumentException e) {
                LOG.warn("Ignoring {}: not a partition directory", child);
                continue;
            }
            long recoveryPoint = clean ? Long.MAX_VALUE : recoveryPoints.getOrDefault(tp, 0L);
            long logStart = startOffsets.getOrDefault(tp, 0L);
            opening.add(CompletableFuture.supplyAsync(() -> Log.open(child, Uuid.ZERO_UUID, defaultConfig, time,
                    recoveryPoint, logStart, clean, this::onLogStartOffsetChanged, deleter), pool));
        }
        return CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).handle((ok, error) -> {
            List<Log> opened = new ArrayList<>();
            for (CompletableFuture<Log> f : opening) {
                if (!f.isCompletedExceptionally()) {
                    opened.add(f.join());
                }
            }
            if (error != null) {
                opened.forEach(Log::close);
                throw error instanceof CompletionException ce ? ce : new CompletionException(error);
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            loadMillis.accumulateAndGet(tookMs, Math::max);
            if ((!clean && !opened.isEmpty()) || tookMs > SLOW_LOAD_MS) {
                LOG.info("Loaded {} partitions from {} in {} ms after {} shutdown", opened.size(), dir, tookMs,
                        clean ? "a clean" : "an unclean");
            }
            return opened;
        });
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void onLogStartOffsetChanged(Log log) throws IOException {
        Path dir = log.dir().getParent();
        synchronized (checkpointLock) {
            new OffsetCheckpointFile(dir.resolve(LOG_START_OFFSET_CHECKPOINT)).write(offsets(dir, false));
        }
    }

    private Map<TopicPartition, Long> offsets(Path dir, boolean recoveryPoints) {
        Map<TopicPartition, Long> result = new LinkedHashMap<>();
        logs.values().stream()
                .filter(l -> l.dir().getParent().equals(dir))
                .sorted((a, b) -> a.topicPartition().toString().compareTo(b.topicPartition().toString()))
                .forEach(l -> result.put(l.topicPartition(), recoveryPoints ? l.flushedOffset() : l.logStartOffset()));
        return result;
    }

    /**
     * The log of {@code tp}, created empty if it does not exist. An existing log takes {@code config} and
     * records {@code topicId} if it had none.
     *
     * @throws org.apache.kafka.common.errors.InconsistentTopicIdException if the log belongs to another id
     * @throws org.apache.kafka.common.errors.InvalidTopicException        for an illegal topic name
     */
    public Log getOrCreate(TopicPartition tp, Uuid topicId, LogConfig config) {
        return getOrCreate(Map.of(tp, -1), topicId, config).get(0);
    }

    /**
     * The logs of the partitions of {@code firstEpochs} (one topic's, say), in its iteration order, as
     * {@link #getOrCreate(TopicPartition, Uuid, LogConfig)} gives each; a log created here also records, durably,
     * that its leader epoch (the map's value; -1: none) starts at offset 0. The missing ones are created at the
     * same time, on up to {@value #CREATE_THREADS} threads, since each waits on its own fsyncs; each log
     * directory that gets one is then fsynced once for all. Either all missing logs are created or, on a
     * failure, none.
     */
    public List<Log> getOrCreate(Map<TopicPartition, Integer> firstEpochs, Uuid topicId, LogConfig config) {
        List<TopicPartition> tps = List.copyOf(firstEpochs.keySet());
        ensureOpen();
        Log[] result = new Log[tps.size()];
        if (!fillExisting(tps, topicId, config, result)) {
            return List.of(result);
        }
        synchronized (this) {
            ensureOpen();
            if (!fillExisting(tps, topicId, config, result)) {
                return List.of(result);
            }
            for (int i = 0; i < tps.size(); i++) {
                if (result[i] == null) {
                    Topic.validate(tps.get(i).topic());
                    if (tps.get(i).partition() < 0) {
                        throw new IllegalArgumentException("Negative partition " + tps.get(i));
                    }
                }
            }
            createMissing(tps, firstEpochs, topicId, config, result);
            for (Log log : result) {
                logs.putIfAbsent(log.topicPartition(), log);
            }
            return List.of(result);
        }
    }

    /** Puts the existing logs of {@code tps} into {@code result}, updated; true if some are missing. */
    private boolean fillExisting(List<TopicPartition> tps, Uuid topicId, LogConfig config, Log[] result) {
        boolean missing = false;
        for (int i = 0; i < tps.size(); i++) {
            Log existing = result[i] != null ? null : logs.get(tps.get(i));
            if (existing != null) {
                existing.assignTopicId(topicId);
                existing.updateConfig(config);
                result[i] = existing;
            }
            missing |= result[i] == null;
        }
        return missing;
    }

    /** Creates the logs missing from {@code result} and fsyncs their directories (caller holds the monitor). */
    private void createMissing(List<TopicPartition> tps, Map<TopicPartition, Integer> firstEpochs, Uuid topicId,
                               LogConfig config, Log[] result) {
        Map<Path, Integer> counts = logCounts();
        Map<Integer, Path> placed = new LinkedHashMap<>();
        for (int i = 0; i < tps.size(); i++) {
            if (result[i] == null) {
                Path dir = pickDir(counts);
                counts.merge(dir, 1, Integer::sum);
                placed.put(i, dir);
            }
        }
        ExecutorService pool = placed.size() == 1 ? null : Executors.newFixedThreadPool(
                Math.min(CREATE_THREADS, placed.size()), namedThreads("letterbox-log-create-"));
        Map<Integer, CompletableFuture<Log>> opening = new LinkedHashMap<>();
        placed.forEach((i, dir) -> {
            TopicPartition tp = tps.get(i);
            Supplier<Log> open = () -> {
                Log log;
                try {
                    log = Log.open(dir.resolve(tp.topic() + "-" + tp.partition()), topicId, config, time, 0L, 0L,
                            false, this::onLogStartOffsetChanged, deleter);
                } catch (KafkaStorageException e) {
                    failIfNotFull(dir, e.getCause());
                    throw e;
                }
                int epoch = firstEpochs.get(tp);
                if (epoch >= 0) {
                    try {
                        log.assignEpochStartOffset(epoch);
                    } catch (RuntimeException e) {
                        log.close();
                        throw e;
                    }
                }
                return log;
            };
            opening.put(i, pool == null ? CompletableFuture.completedFuture(open.get())
                    : CompletableFuture.supplyAsync(open, pool));
        });
        RuntimeException failure = null;
        try {
            for (Map.Entry<Integer, CompletableFuture<Log>> e : opening.entrySet()) {
                try {
                    result[e.getKey()] = e.getValue().join();
                } catch (CompletionException ce) {
                    failure = failure != null ? failure : ce.getCause() instanceof RuntimeException re ? re
                            : new KafkaStorageException("Could not create a log: " + ce.getCause(), ce.getCause());
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdown();
            }
        }
        if (failure == null) {
            try {
                for (Path dir : new LinkedHashSet<>(placed.values())) {
                    fsyncNewLogsDir(dir);
                }
            } catch (KafkaStorageException e) {
                failure = e;
            }
        }
        if (failure != null) {
            for (int i : placed.keySet()) {
                if (result[i] != null) {
                    result[i].close();
                    result[i] = null;
                }
            }
            throw failure;
        }
        for (int i : placed.keySet()) {
            result[i].setDirFailureListener(this::onLogDirFailure);
        }
    }

    private void fsyncNewLogsDir(Path dir) {
        try {
            AtomicFile.fsyncDirectory(dir);
        } catch (IOException e) {
            failIfNotFull(dir, e);
            throw new KafkaStorageException("Could not fsync " + dir, e);
        }
    }

    private Map<Path, Integer> logCounts() {
        Map<Path, Integer> counts = new HashMap<>();
        for (Path d : logDirs) {
            if (!offlineDirs.contains(d)) {
                counts.put(d, 0);
            }
        }
        if (counts.isEmpty()) {
            throw new KafkaStorageException("Every log directory is offline: " + logDirs);
        }
        for (Log l : logs.values()) {
            counts.computeIfPresent(l.dir().getParent(), (d, n) -> n + 1);
        }
        return counts;
    }

    /** The online directory holding the fewest logs (the first of those). */
    private Path pickDir(Map<Path, Integer> counts) {
        Path best = null;
        for (Path d : logDirs) {
            if (counts.containsKey(d) && (best == null || counts.get(d) < counts.get(best))) {
                best = d;
            }
        }
        return best;
    }

    private void onLogDirFailure(Log log, IOException cause) {
        markOffline(log.dir().getParent(), cause);
    }

    /**
     * Takes {@code dir} offline after {@code cause} unless it is only full or the process is out of file
     * descriptors; the log being opened there failed.
     */
    private void failIfNotFull(Path dir, Throwable cause) {
        if (cause instanceof IOException io && !StorageFaults.isResourceLimit(io)) {
            markOffline(dir, io);
        }
    }

    /**
     * Takes a log directory offline after an I/O error other than a full disk (Kafka does the same): every
     * log in it answers KafkaStorageException for reads and writes, it gets no new logs and no checkpoints,
     * and the logs of the other directories carry on. Files are left as they are; the next open (a restart
     * with the directory healthy) recovers them as after a crash.
     */
    void markOffline(Path dir, IOException cause) {
        if (!offlineDirs.add(dir)) {
            return;
        }
        int count = 0;
        for (Log l : logs.values()) {
            if (l.dir().getParent().equals(dir)) {
                l.markOffline();
                count++;
            }
        }
        LOG.error("Log directory {} is offline after an I/O error ({}): its {} partitions answer KAFKA_STORAGE_ERROR "
                + "until a restart with the directory healthy", dir, cause.toString(), count);
        for (Consumer<Path> listener : offlineListeners) {
            listener.accept(dir);
        }
    }

    /** Calls {@code listener} with each directory that goes offline, on the thread whose I/O failed. */
    public void addOfflineListener(Consumer<Path> listener) {
        offlineListeners.add(listener);
    }

    /** True if {@code dir} was taken offline by an I/O error. */
    public boolean isOffline(Path dir) {
        return offlineDirs.contains(dir);
    }

    public Optional<Log> get(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    public Collection<Log> logs() {
        return Collections.unmodifiableCollection(new ArrayList<>(logs.values()));
    }

    public Set<TopicPartition> partitions() {
        return Set.copyOf(logs.keySet());
    }

    /**
     * Deletes the log of {@code tp}: renamed to {@code <topic>-<p>.<id>-delete} (durably) so that a crash
     * cannot resurrect it, then removed. No-op if absent.
     */
    public synchronized void delete(TopicPartition tp) {
        Log log = logs.remove(tp);
        if (log == null) {
            return;
        }
        log.close();
        Path dir = log.dir();
        if (offlineDirs.contains(dir.getParent())) {
            // Its topic is gone; the next open finds the directory without a topic and deletes it then.
            LOG.info("Dropping log {} on offline directory {}; its files go at the next start", tp, dir.getParent());
            return;
        }
        Path renamed = dir.resolveSibling(dir.getFileName() + "." + UUID.randomUUID().toString().replace("-", "")
                + DELETE_SUFFIX);
        try {
            Files.move(dir, renamed, StandardCopyOption.ATOMIC_MOVE);
            AtomicFile.fsyncDirectory(dir.getParent());
            Log.deleteRecursively(renamed);
            checkpoint();
        } catch (IOException e) {
            throw new KafkaStorageException("Could not delete " + dir + ": " + e.getMessage(), e);
        }
    }

    /** How long opening took to load the logs of every directory (milliseconds, not counting the locks). */
    public long loadMillis() {
        return loadMillis.get();
    }

    public List<Path> logDirs() {
        return logDirs;
    }

    public Map<String, String> topicDefaults() {
        return topicDefaults;
    }

    /** The config of a log without topic overrides. */
    public LogConfig defaultConfig() {
        return defaultConfig;
    }

    public GroupCommit groupCommit() {
        return groupCommit;
    }

    /**
     * Writes the recovery-point and log-start-offset checkpoints of every online directory, durably. A
     * directory whose write fails for another reason than a full disk goes offline; the others are still
     * written.
     *
     * @throws KafkaStorageException if a directory could not be written (after trying all of them)
     */
    public void checkpoint() {
        synchronized (checkpointLock) {
            KafkaStorageException failure = null;
            for (Path dir : logDirs) {
                if (offlineDirs.contains(dir)) {
                    continue;
                }
                try {
                    new OffsetCheckpointFile(dir.resolve(RECOVERY_POINT_CHECKPOINT)).write(offsets(dir, true));
                    new OffsetCheckpointFile(dir.resolve(LOG_START_OFFSET_CHECKPOINT)).write(offsets(dir, false));
                } catch (IOException e) {
                    failIfNotFull(dir, e);
                    failure = new KafkaStorageException("Could not write the checkpoints of " + dir + ": "
                            + e.getMessage(), e);
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("LogManager is closed");
        }
    }

    /**
     * Clean shutdown: fsyncs every log, writes producer snapshots, removes deleted segments still waiting
     * for their delay, writes checkpoints and the clean-shutdown marker of each directory where every log
     * closed cleanly, and releases the locks.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        groupCommit.close();
        List<Log> all = new ArrayList<>(logs.values());
        Set<Path> failedDirs = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(8, all.size())), r -> {
            Thread t = new Thread(r, "letterbox-log-close");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Log log : all) {
                if (log.isOffline()) {
                    failedDirs.add(log.dir().getParent());
                    log.close();
                    continue;
                }
                futures.add(pool.submit(() -> {
                    try {
                        log.flush(log.logEndOffset());
                        log.writeProducerSnapshot();
                    } catch (RuntimeException e) {
                        failedDirs.add(log.dir().getParent());
                        LOG.error("Could not close {} cleanly; it will be recovered at the next start", log, e);
                    } finally {
                        log.close();
                    }
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (Exception e) {
                    LOG.error("Log close task failed", e);
                }
            }
        } finally {
            pool.shutdown();
        }
        deleter.deleteAllNow();
        try {
            checkpoint();
            for (Path dir : logDirs) {
                if (!failedDirs.contains(dir) && !offlineDirs.contains(dir)) {
                    AtomicFile.write(dir.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
                }
            }
        } catch (RuntimeException | IOException e) {
            LOG.error("Could not finish the clean shutdown; logs will be recovered at the next start", e);
        } finally {
            releaseLocks(lockChannels);
        }
    }

    /** Simulates a crash for tests: releases files and locks, writes nothing (no flush, checkpoint or marker). */
    void crash() {
        closed = true;
        groupCommit.close();
        for (Log log : logs.values()) {
            log.close();
        }
        deleter.abandonAll();
        releaseLocks(lockChannels);
    }
}
