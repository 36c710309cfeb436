package org.tilldela;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * One real SMTP server (GreenMail) for the test JVM, on the loopback address and a free port, started when the shared
 * Spring context first asks for its address (IntegrationTest sets spring.mail.host and spring.mail.port to it). Tests
 * tell their mail apart by the recipients' domain.
 */
public final class TestSmtp {

    private static GreenMail server;

    private TestSmtp() {
    }

    public static synchronized GreenMail server() {
        if (server == null) {
            server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-smtp-stop"));
        }
        return server;
    }

    public static int port() {
        return server().getSmtp().getPort();
    }
}
