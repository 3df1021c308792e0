package dev.sfd.io;

import dev.sfd.FormatException;
import dev.sfd.SfdException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A run's ownership of its output folder. {@link #claim} takes an operating-system lock on
 * {@value #LOCK_FILE} in the folder (released by the OS when the process dies, so a crash never leaves a
 * folder locked) and holds it until {@link #close}; {@link #finish} writes {@value #MANIFEST_FILE} last, naming
 * the run and the SHA-256 of every file in the folder. The files of a run are therefore one set: a folder
 * with a manifest holds exactly the files one finished run wrote, and a folder without one holds an
 * interrupted run (or files of unknown origin).
 *
 * <p>Modes: {@link Mode#FRESH} refuses a folder that holds anything but a stale lock file;
 * {@link Mode#RESUME} continues a run of the same command, plan and seed (checked against the manifest, whose
 * file hashes must still match, or against the lock file an interrupted run left) and removes the manifest
 * until the resumed run finishes; {@link Mode#OVERWRITE} deletes the files a previous manifest lists and
 * starts a new run. A second process claiming a folder that is in use fails at once with the holder's process
 * id, host and start time. The configuration hash is recorded but not compared on resume: what may change
 * between the legs of a resumed run is the trainer's own resume check to decide.
 */
public final class RunFolder implements AutoCloseable {
    /** Lock file; after the run it keeps the identity of the last run that held the folder. */
    public static final String LOCK_FILE = ".sfd-lock";
    /** Manifest written last by {@link #finish}. */
    public static final String MANIFEST_FILE = "manifest.json";

    /** How a claim treats a folder that already holds files. */
    public enum Mode { FRESH, RESUME, OVERWRITE }

    /**
     * What a run is: the command, its plan (or another short description of the task), seed and a hash of
     * its configuration ({@link #hash(Map)}). Command, plan and seed must match when a run is resumed.
     */
    public record Identity(String command, String plan, long seed, String configHash) {
        public Identity {
            if (command == null || command.isBlank()) throw new SfdException("run identity: command must be named");
            if (plan == null) plan = "";
            if (configHash == null) configHash = "";
        }
    }

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final Identity identity;
    private final String runId;
    private final Instant started;
    private final Map<String, Object> holderInfo;
    private boolean closed;

    private RunFolder(Path dir, FileChannel channel, FileLock lock, Identity identity, String runId, Instant started,
                      Map<String, Object> holderInfo) {
        this.holderInfo = holderInfo;
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.identity = identity;
        this.runId = runId;
        this.started = started;
    }

    /**
     * Creates the folder if needed, locks it and checks it against {@code mode}. Throws an
     * {@link SfdException} naming the folder and the reason (in use, holds another run, manifest mismatch,
     * a file changed since the manifest was written, not writable); nothing in the folder changes then.
     */
    public static RunFolder claim(Path dir, Mode mode, Identity identity) {
        synchronized (HELD) {
            Path abs = dir.toAbsolutePath().normalize();
            try {
                if (Files.isDirectory(abs)) abs = abs.toRealPath(); // one key per folder, whatever symbolic links lead to it
            } catch (IOException e) {
                throw new SfdException("output folder " + abs + " cannot be resolved: " + e, e);
            }
            RunFolder holder = HELD.get(abs);
            if (holder != null) {
                throw new SfdException("output folder " + abs + " is in use by another run (" + describeHolder(holder.holderInfo)
                        + "); wait for it to finish or choose another --out");
            }
            RunFolder r = claimUnheld(abs, mode, identity);
            HELD.put(abs, r);
            return r;
        }
    }

    /**
     * Folders this JVM holds. POSIX record locks belong to the process and closing any descriptor of the file drops
     * them, so within one JVM a held folder is recognised here and its lock file is never opened a second time.
     */
    private static final Map<Path, RunFolder> HELD = new java.util.HashMap<>();

    private static RunFolder claimUnheld(Path abs, Mode mode, Identity identity) {
        if (Files.exists(abs) && !Files.isDirectory(abs)) throw new SfdException("output folder " + abs + " is a file, not a folder");
        try {
            Files.createDirectories(abs);
        } catch (IOException | SecurityException e) {
            throw new SfdException("output folder " + abs + " is not writable (cannot create it: " + e + ")", e);
        }
        Path lockFile = abs.resolve(LOCK_FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException | SecurityException e) {
            throw new SfdException("output folder " + abs + " is not writable: " + e, e);
        }
        FileLock lock = null;
        try {
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held through another path to the same folder in this JVM
            }
            if (lock == null) {
                throw new SfdException("output folder " + abs + " is in use by another run (" + describeHolder(read(ch))
                        + "); wait for it to finish or choose another --out");
            }
            Map<String, Object> previous = read(ch);
            Path manifestFile = abs.resolve(MANIFEST_FILE);
            Map<String, Object> manifest = null;
            if (Files.isRegularFile(manifestFile)) {
                try {
                    manifest = readManifest(manifestFile);
                } catch (FormatException e) {
                    if (mode != Mode.OVERWRITE) {
                        throw new SfdException("output folder " + abs + " holds a run whose " + MANIFEST_FILE + " cannot be read (" + e.getMessage()
                                + "); pass --overwrite to replace it or choose another --out", e);
                    }
                }
            }
            switch (mode) {
                case FRESH -> requireEmpty(abs, manifest);
                case RESUME -> requireSameRun(abs, identity, manifest, previous);
                case OVERWRITE -> deleteListed(abs, manifest);
                default -> throw new IllegalStateException(mode.name());
            }
            cleanTemporaries(abs);
            Instant started = Instant.now();
            String runId = mode == Mode.RESUME && manifest != null ? String.valueOf(manifest.get("run_id"))
                    : mode == Mode.RESUME && previous != null && previous.get("run_id") != null ? String.valueOf(previous.get("run_id"))
                    : UUID.randomUUID().toString();
            Map<String, Object> holder = identityMap(identity, runId);
            holder.put("pid", ProcessHandle.current().pid());
            holder.put("host", hostName());
            holder.put("started", started.toString());
            byte[] bytes = Json.write(holder).getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(bytes), 0);
            ch.force(true);
            Files.deleteIfExists(manifestFile); // the folder changes from here on: no manifest until finish()
            return new RunFolder(abs, ch, lock, identity, runId, started, holder);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new SfdException("output folder " + abs + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** The folder (absolute). */
    public Path dir() { return dir; }

    /** This run's id (kept when a run is resumed). */
    public String runId() { return runId; }

    /** What this run is. */
    public Identity identity() { return identity; }

    /**
     * Writes the manifest: run id, identity, start and end time, and the SHA-256 of every file in the folder
     * (recursively, except the lock file and unfinished temporary files). Call once, after the run's last file.
     */
    public void finish() {
        if (closed) throw new SfdException("run folder " + dir + " is already released");
        Map<String, Object> m = identityMap(identity, runId);
        m.put("started", started.toString());
        m.put("finished", Instant.now().toString());
        Map<String, Object> files = new TreeMap<>();
        for (Path f : runFiles(dir)) files.put(dir.relativize(f).toString().replace('\\', '/'), sha256(f));
        m.put("files", files);
        Json.write(dir.resolve(MANIFEST_FILE), m);
    }

    /** Releases the lock (the lock file stays, naming the last run). Idempotent. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) return;
            closed = true;
            HELD.remove(dir, this);
        }
        try {
            if (lock.isValid()) lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
    }

    /** SHA-256 of a map's canonical JSON (keys sorted at every level), as lowercase hex. */
    public static String hash(Map<String, ?> config) {
        return hex(digest().digest(Json.write(sorted(config)).getBytes(StandardCharsets.UTF_8)));
    }

    /** SHA-256 of a file's bytes, as lowercase hex; a {@link FormatException} naming the file when it cannot be read. */
    public static String sha256(Path file) {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
        } catch (NoSuchFileException e) {
            throw new FormatException("cannot hash " + file.toAbsolutePath() + ": it does not exist");
        } catch (IOException e) {
            throw new FormatException("cannot hash " + file.toAbsolutePath() + ": " + e, e);
        }
        return hex(md.digest());
    }

    // ------------------------------------------------------------------ checks

    private static void requireEmpty(Path dir, Map<String, Object> manifest) {
        List<Path> files = runFiles(dir);
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> !p.getFileName().toString().equals(LOCK_FILE) && !isTemporary(p)).forEach(entries::add);
        } catch (IOException e) {
            throw new SfdException("output folder " + dir + " cannot be listed: " + e, e);
        }
        if (entries.isEmpty()) return;
        String what = manifest != null
                ? "the finished run " + manifest.get("run_id") + " (" + manifest.get("command") + ", plan '" + manifest.get("plan")
                        + "', seed " + manifest.get("seed") + ")"
                : files.size() + " file(s) of an unfinished run or of unknown origin (e.g. " + dir.relativize(files.isEmpty() ? entries.get(0) : files.get(0)) + ")";
        throw new SfdException("output folder " + dir + " already holds " + what
                + "; pass --resume to continue it, --overwrite to replace it, or choose another --out");
    }

    private static void requireSameRun(Path dir, Identity id, Map<String, Object> manifest, Map<String, Object> previous) {
        Map<String, Object> recorded = manifest != null ? manifest : previous;
        String source = manifest != null ? MANIFEST_FILE : LOCK_FILE + " (left by an interrupted run)";
        if (recorded != null && recorded.get("command") != null) {
            List<String> diff = new ArrayList<>();
            compare(diff, "command", id.command(), recorded.get("command"));
            compare(diff, "plan", id.plan(), recorded.get("plan"));
            compare(diff, "seed", Long.toString(id.seed()), recorded.get("seed") instanceof Number n ? Long.toString(n.longValue()) : String.valueOf(recorded.get("seed")));
            if (!diff.isEmpty()) {
                throw new SfdException("--resume: output folder " + dir + " holds another run: " + String.join(", ", diff) + " (from " + source
                        + "); resume it with the same options, or pass --overwrite to replace it");
            }
        }
        if (manifest != null && manifest.get("files") instanceof Map<?, ?> files) {
            for (Map.Entry<?, ?> e : files.entrySet()) {
                Path f = dir.resolve(String.valueOf(e.getKey())).normalize();
                if (!f.startsWith(dir)) throw new FormatException(dir.resolve(MANIFEST_FILE) + ": file name '" + e.getKey() + "' points outside the folder");
                if (!Files.isRegularFile(f)) {
                    throw new SfdException("--resume: " + f + " is listed in " + MANIFEST_FILE + " but missing; the folder was changed after the run finished");
                }
                String actual = sha256(f);
                if (!actual.equals(e.getValue())) {
                    throw new SfdException("--resume: " + f + " changed since the run finished (SHA-256 " + actual + ", manifest " + e.getValue()
                            + "); it is corrupt or was replaced: restore it or pass --overwrite to start again");
                }
            }
        }
    }

    private static void compare(List<String> diff, String key, String wanted, Object recorded) {
        String r = String.valueOf(recorded);
        if (!wanted.equals(r)) diff.add(key + " '" + r + "' (this run: '" + wanted + "')");
    }

    private static void deleteListed(Path dir, Map<String, Object> manifest) throws IOException {
        if (manifest == null || !(manifest.get("files") instanceof Map<?, ?> files)) return;
        for (Object name : files.keySet()) {
            Path f = dir.resolve(String.valueOf(name)).normalize();
            if (f.startsWith(dir) && !f.equals(dir) && !f.equals(dir.resolve(LOCK_FILE)) && !Files.isDirectory(f)) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir.resolve(MANIFEST_FILE));
    }

    // ------------------------------------------------------------------ helpers

    /** Regular files of the run, sorted: everything under the folder except the lock, the manifest and temporaries. */
    private static List<Path> runFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.equals(dir.resolve(LOCK_FILE)) && !p.equals(dir.resolve(MANIFEST_FILE)) && !isTemporary(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new SfdException("output folder " + dir + " cannot be listed: " + e, e);
        }
    }

    /** Leftovers of interrupted atomic writes anywhere in the folder: the lock makes this process their only writer. */
    private static void cleanTemporaries(Path dir) throws IOException {
        List<Path> tmp;
        try (Stream<Path> s = Files.walk(dir)) {
            tmp = s.filter(p -> Files.isRegularFile(p) && isTemporary(p)).toList();
        }
        for (Path p : tmp) Files.deleteIfExists(p);
    }

    private static boolean isTemporary(Path p) {
        return AtomicFiles.isTemporaryName(p.getFileName().toString());
    }

    private static Map<String, Object> identityMap(Identity id, String runId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", runId);
        m.put("command", id.command());
        m.put("plan", id.plan());
        m.put("seed", id.seed());
        m.put("config_sha256", id.configHash());
        return m;
    }

    private static Map<String, Object> readManifest(Path file) {
        Map<String, Object> m = Json.readMap(file);
        if (!(m.get("files") instanceof Map)) throw new FormatException(file + ": manifest has no \"files\" object");
        return m;
    }

    /** The lock file's content as a map, or null when it is empty or unreadable (a holder that has not written yet). */
    private static Map<String, Object> read(FileChannel ch) {
        try {
            long size = ch.size();
            if (size == 0 || size > 1 << 20) return null;
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) { /* positional reads until full */ }
            return Json.parseMap(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        } catch (IOException | SfdException e) {
            return null;
        }
    }

    private static String describeHolder(Map<String, Object> h) {
        if (h == null) return "holder not yet recorded";
        return "run " + h.get("run_id") + ": " + h.get("command") + " plan '" + h.get("plan") + "', pid " + h.get("pid") + " on "
                + h.get("host") + " since " + h.get("started");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String name = ManagementFactory.getRuntimeMXBean().getName();
            int at = name.indexOf('@');
            return at >= 0 ? name.substring(at + 1) : "unknown host";
        }
    }

    @SuppressWarnings("unchecked")
    private static Object sorted(Object v) {
        if (v instanceof Map<?, ?> m) {
            TreeMap<String, Object> t = new TreeMap<>();
            m.forEach((k, x) -> t.put(String.valueOf(k), sorted(x)));
            return t;
        }
        if (v instanceof List<?> l) return l.stream().map(RunFolder::sorted).toList();
        return v;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    private static String hex(byte[] b) { return HexFormat.of().formatHex(b); }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
