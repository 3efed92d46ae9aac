// Stores a SCRAM credential on a Kafka cluster through the Admin API (what
// `kafka-configs.sh --alter --add-config 'SCRAM-SHA-256=[...]'` does), for the SASL listener
// test: kafkajs cannot create SCRAM users, and the harness fetches the broker jars only.
// Run in Java's source-file mode with the broker's jars on the class path:
//   SCRAM_PASSWORD=... java -cp '<libs>/*' AddScramUser.java <bootstrap> <user> <SCRAM-SHA-256|SCRAM-SHA-512>
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class AddScramUser {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    ScramMechanism mechanism = ScramMechanism.fromMechanismName(args[2]);
    String password = System.getenv("SCRAM_PASSWORD");
    try (Admin admin = Admin.create(props)) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      args[1], new ScramCredentialInfo(mechanism, 4096), password)))
          .all()
          .get();
    }
  }
}
