/*
 * Starts a real Neo4j 5 (Community, embedded) for the tests, with its Bolt connector on a loopback port and a
 * store in a fresh temporary directory, so that the Neo4j adapter runs against the server it is written for
 * (test/neo4j/run.mjs, `npm run test:neo4j`). Authentication is off: the server listens on 127.0.0.1 only
 * and its store is thrown away.
 *
 *   java --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
 *        --add-opens=java.base/java.io=ALL-UNNAMED -cp <classes>:<classpath.txt> Neo4jLauncher [port] [--no-stdin]
 *
 * (run.mjs says why those three packages are opened; Neo4j runs without them, slower.)
 * With no port (or 0) the operating system picks a free one, so that parallel runs never collide. When Bolt
 * accepts connections it prints one line on stdout, `READY bolt://127.0.0.1:<port>`; warnings and errors of
 * Neo4j's user log go to stderr. It stops cleanly, shutting the database down and deleting the store, on
 * SIGTERM or SIGINT and when its stdin closes (so that a test runner that dies, even by SIGKILL, takes the
 * server with it); `--no-stdin` turns the latter off for a launcher started in the background by hand.
 */
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public final class Neo4jLauncher {
  private Neo4jLauncher() {}

  public static void main(String[] args) throws Exception {
    int port = 0;
    boolean watchStdin = true;
    for (String arg : args) {
      if (arg.equals("--no-stdin")) watchStdin = false;
      else if (arg.matches("\\d{1,5}")) port = Integer.parseInt(arg);
      else {
        System.err.println("usage: Neo4jLauncher [port] [--no-stdin]");
        System.exit(2);
      }
    }

    Path home = Files.createTempDirectory("twingraph-neo4j-");
    Log4jLogProvider userLog = new Log4jLogProvider(System.err, Level.WARN);
    DatabaseManagementService dbms;
    try {
      dbms =
          new DatabaseManagementServiceBuilder(home)
              .setUserLogProvider(userLog)
              .setConfig(BoltConnector.enabled, true)
              .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
              .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
              .setConfig(GraphDatabaseSettings.auth_enabled, false)
              // A test store stays small: a small page cache leaves the machine's memory to the tests, and
              // a short transaction-log history saves the disk writes of keeping it.
              .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
              .setConfig(GraphDatabaseSettings.keep_logical_logs, "keep_none")
              // Bolt's shutdown otherwise waits out netty's quiet period and its thread pools (about 15 s
              // in all) for clients that, in a test run, have already gone.
              .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
              .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
              .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
              .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
              .build();
    } catch (RuntimeException e) {
      deleteTree(home);
      throw e;
    }

    Thread stop =
        new Thread(
            () -> {
              try {
                dbms.shutdown();
              } finally {
                userLog.close();
                deleteTree(home);
                System.err.println("Neo4j stopped; store deleted");
              }
            },
            "neo4j-launcher-stop");
    // The JVM runs shutdown hooks on SIGTERM, SIGINT and System.exit alike.
    Runtime.getRuntime().addShutdownHook(stop);

    GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    var bolt =
        db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class).getLocalAddress(ConnectorType.BOLT);
    if (bolt == null) {
      System.err.println("Neo4j started but its Bolt connector has no address");
      System.exit(1);
    }
    System.out.println("READY bolt://127.0.0.1:" + bolt.getPort());
    System.out.flush();

    if (watchStdin) {
      // Wait for end of input; anything written is ignored.
      InputStream in = System.in;
      byte[] buffer = new byte[256];
      while (in.read(buffer) >= 0) {
        // keep reading
      }
      System.exit(0);
    } else {
      Thread.currentThread().join();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(Neo4jLauncher::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
