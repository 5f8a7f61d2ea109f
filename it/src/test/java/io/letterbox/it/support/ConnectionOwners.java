package io.letterbox.it.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.Socket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which process opened a loopback TCP connection, from Linux's {@code /proc} (no root needed for
 * the user's own processes): the kernel lists each socket with its ports and inode in
 * {@code /proc/net/tcp} and {@code tcp6}, and a process's open sockets are links to
 * {@code socket:[inode]} in {@code /proc/<pid>/fd}.
 */
final class ConnectionOwners {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private ConnectionOwners() {
    }

    /**
     * The inode of the socket at the other end of {@code accepted}: the one whose local port is
     * the accepted socket's remote port and whose remote port is its local port; -1 if not found.
     */
    static long inodeOf(Socket accepted) {
        String local = ":" + hexPort(accepted.getPort());
        String remote = ":" + hexPort(accepted.getLocalPort());
        for (Path table : TABLES) {
            try {
                for (String line : Files.readAllLines(table)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(local) && f[2].endsWith(remote)) {
                        return Long.parseLong(f[9]);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no such table (no IPv6), or a line being rewritten: try the next
            }
        }
        return -1;
    }

    /** The inodes of the sockets process {@code pid} has open; empty if it is gone or not ours. */
    static Set<Long> socketInodes(long pid) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // the process is gone, or not ours
        }
        return inodes;
    }

    private static String hexPort(int port) {
        return String.format("%04X", port);
    }
}
