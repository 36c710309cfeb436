package org.tilldela.platform;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.server.ResponseStatusException;

/**
 * One-time form tokens, so that a form that creates something (an order, a pool, a supplier, credentials…)
 * creates it once however often it is submitted. Each rendered form carries a fresh token ({@link #FIELD},
 * put in every page's model by {@link FormTokenAdvice}); {@link #once} claims the token and runs the
 * submission in one transaction. A second submission with the same token — a double click, a reload, a
 * retry reaching another node — waits on the claim's unique key until the first commits and then lands
 * where the first landed, creating nothing. A submission that fails or is refused leaves the token
 * unclaimed, so the corrected form can be sent again. The claims live in PostgreSQL because several nodes
 * share the work.
 */
@Service
public class FormSubmissions {

    /** The name of the form field (and model attribute) that carries the token. */
    public static final String FIELD = "formToken";

    private static final String REDIRECT = "redirect:";

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    FormSubmissions(JdbcClient jdbc, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /**
     * Runs {@code submission} once for this token and returns the view it chose.
     *
     * <ul>
     *   <li>It returns a redirect: done; the token is spent and remembers that landing.</li>
     *   <li>It returns a page (a form shown again with its problems, a refusal): nothing counts as
     *       created, the token stays usable, and whatever else it wrote (an audit entry) is kept.</li>
     *   <li>It throws, or swallowed a failure that marked the transaction for rollback: nothing it did
     *       is kept, the token included.</li>
     * </ul>
     * A token already spent by the same account on the same form answers that first landing without
     * running anything; one spent elsewhere is refused (400).
     *
     * @param form a stable name of the form, so a token cannot be replayed on another one
     */
    public String once(String token, String actor, String form, Supplier<String> submission) {
        UUID id = parse(token);
        return transactions.execute(status -> {
            int claimed = jdbc.sql("""
                            insert into form_submission (token, actor, form, landing) values (:t, :a, :f, '') on conflict (token) do nothing
                            """).param("t", id).param("a", actor).param("f", form).update();
            if (claimed == 0) {
                return landing(id, actor, form);
            }
            String view = submission.get();
            if (status.isRollbackOnly()) {
                // a failure caught inside the submission: roll everything back (the claim too) without an exception
                status.setRollbackOnly();
                return view;
            }
            if (view == null || !view.startsWith(REDIRECT)) {
                jdbc.sql("delete from form_submission where token = :t").param("t", id).update();
                return view;
            }
            jdbc.sql("update form_submission set landing = :l where token = :t").param("l", view.substring(REDIRECT.length())).param("t", id).update();
            return view;
        });
    }

    private String landing(UUID token, String actor, String form) {
        record Claim(String actor, String form, String landing) {
        }
        Optional<Claim> claim = jdbc.sql("select actor, form, landing from form_submission where token = :t").param("t", token)
                .query((rs, n) -> new Claim(rs.getString(1), rs.getString(2), rs.getString(3))).optional();
        if (claim.isEmpty() || !claim.get().actor().equals(actor) || !claim.get().form().equals(form) || claim.get().landing().isEmpty()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "This form was already submitted elsewhere.");
        }
        return REDIRECT + claim.get().landing();
    }

    private static UUID parse(String token) {
        if (token == null || token.isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The form carries no " + FIELD + ".");
        }
        try {
            return UUID.fromString(token.strip());
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The form's " + FIELD + " is not valid.");
        }
    }

    /** A spent token matters only while its form can still be sent again from a browser's history. */
    @Scheduled(cron = "${tilldela.forms.cleanup-cron:0 40 * * * *}")
    void forgetOldClaims() {
        jdbc.sql("delete from form_submission where claimed_at < now() - interval '2 days'").update();
    }
}
