package govgraph.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Embedded Neo4j (Community) with only Bolt on 127.0.0.1, no auth, for tests.
 *
 * <p>Usage: {@code TestServer [--dir PATH] [--port N] [--pagecache MIB] [--config KEY=VALUE]...
 * [--ignore-stdin]}.
 * Prints exactly one line {@code NEO4J_READY bolt://127.0.0.1:PORT} when ready.
 * Stops on SIGTERM/SIGINT and, unless --ignore-stdin, when stdin reaches EOF.
 * A folder it created itself is deleted on stop; a --dir folder is left alone.
 */
public final class TestServer {
    private static final String HOST = "127.0.0.1";

    private static DatabaseManagementService dbms;
    private static Path ownedDir;

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // also ends threads a half-started DBMS may have left
        }
    }

    private static void run(String[] args) throws Exception {
        Path dir = null;
        int port = 0;
        long pagecacheMib = 128;
        boolean watchStdin = true;
        Map<String, String> settings = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--pagecache" -> pagecacheMib = Long.parseLong(args[++i]);
                case "--ignore-stdin" -> watchStdin = false;
                case "--config" -> {
                    String[] pair = args[++i].split("=", 2);
                    settings.put(pair[0], pair.length > 1 ? pair[1] : "");
                }
                default -> {
                    System.err.println("usage: TestServer [--dir PATH] [--port N] [--pagecache MIB] "
                            + "[--config KEY=VALUE]... [--ignore-stdin]");
                    System.exit(2);
                }
            }
        }
        if (dir == null) {
            dir = ownedDir = Files.createTempDirectory("neo4j-test-server-");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(TestServer::stop, "neo4j-test-server-stop"));

        // With no fixed port, pick a free one and retry if another process grabs it first.
        // (Port 0 is not used directly: the advertised address, which neo4j:// routing
        // tables hand out, must name the real port.)
        int attempts = port == 0 ? 5 : 1;
        for (int attempt = 1; ; attempt++) {
            int p = port == 0 ? freePort() : port;
            try {
                dbms = start(dir.resolve("home-" + attempt), p, pagecacheMib, settings);
                port = p;
                break;
            } catch (RuntimeException e) {
                if (attempt >= attempts) {
                    throw e;
                }
                System.err.println("start on port " + p + " failed, retrying: " + e);
            }
        }

        System.out.println("NEO4J_READY bolt://" + HOST + ":" + port);
        System.out.flush();

        if (watchStdin) {
            InputStream in = System.in;
            while (in.read() != -1) {
                // ignore input; EOF means the parent is gone or wants us to stop
            }
            System.exit(0); // runs the shutdown hook
        }
        Thread.currentThread().join(); // wait for a signal
    }

    private static DatabaseManagementService start(Path home, int port, long pagecacheMib,
                                                    Map<String, String> settings)
            throws IOException {
        SocketAddress bolt = new SocketAddress(HOST, port);
        // Any other setting, as neo4j.conf names it (the benchmarks' server settings).
        Files.createDirectories(home);
        Path conf = home.resolve("extra.conf");
        StringBuilder lines = new StringBuilder();
        settings.forEach((key, value) -> lines.append(key).append('=').append(value).append('\n'));
        Files.writeString(conf, lines);
        return new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(conf)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(HOST))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // Server-side routing would open another listener (7688); client-side
                // routing for neo4j:// URIs works without it on a single instance.
                .setConfig(GraphDatabaseSettings.routing_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMib))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                // Netty's default 5 s quiet period per event loop group makes stop take ~10 s.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    private static synchronized void stop() {
        if (dbms != null) {
            try {
                dbms.shutdown();
            } catch (RuntimeException e) {
                System.err.println("shutdown failed: " + e);
            }
            dbms = null;
        }
        if (ownedDir != null) {
            try (Stream<Path> paths = Files.walk(ownedDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + ownedDir + ": " + e);
            }
            ownedDir = null;
        }
    }
}
