package org.tilldela.sso.cli;

import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code demo-product}: a product to sign in to, for the demo (see {@link DemoProduct}); runs until stopped. Needs no database. */
@Command(name = "demo-product", mixinStandardHelpOptions = true, description = {
        "Runs a small demo product on http://127.0.0.1:PORT that signs people in at Tilldela",
        "(OpenID Connect, public client with PKCE) and shows the claims it received.",
        "Register its client first (see the README); stop it with Ctrl-C."})
public class DemoProductCommand implements Callable<Integer> {

    @Option(names = "--issuer", required = true, description = "Tilldela's issuer, e.g. http://localhost:8080.")
    URI issuer;

    @Option(names = "--client-id", required = true, description = "The client id registering the product's client answered.")
    String clientId;

    @Option(names = "--port", defaultValue = "8081", description = "Port on 127.0.0.1 (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--name", defaultValue = "Demo product", description = "The product's name on its pages (default ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() throws Exception {
        DemoProduct product;
        try {
            product = DemoProduct.start(issuer, clientId, name, port);
        } catch (java.io.IOException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(product::close));
        System.out.printf("%s is running at %s (signs in at %s as %s)%n  redirect URI:             %s%n  initiate-login URI:       %s%n"
                        + "  post-logout redirect URI: %s%nStop it with Ctrl-C.%n", name, product.address(), issuer, clientId, product.redirectUri(),
                product.initiateLoginUri(), product.postLogoutRedirectUri());
        Thread.currentThread().join();
        return 0;
    }
}
