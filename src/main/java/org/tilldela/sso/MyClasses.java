package org.tilldela.sso;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.directory.Teaching;
import org.tilldela.platform.QrCode;

/**
 * A teacher's classes and what they may do for their pupils: set a pupil's password, make sign-in cards,
 * end a card. Who may act for whom is never granted here nor by signing in: each call asks the directory's
 * {@link Teaching} rule (the class is theirs today, and the pupil is in it), and anything else is
 * {@link NotYourPupil} — answered as "not found", so nothing about other classes shows. Every action is in
 * the audit trail with the teacher's person id as actor.
 */
@Service
public class MyClasses {

    /** A pupil as their teacher's class page shows them. */
    public record PupilRow(UUID id, String givenName, String familyName, String username, SignInCards.Status card) {
    }

    public record ClassPage(Teaching.TaughtClass taught, List<PupilRow> pupils) {
    }

    /**
     * One printed card (the token is inside {@code url}, which the QR code carries) and the pupil's pictures for the
     * teacher's sheet. A card of a pupil with protected identity shows their first name only, never class or school:
     * a lost card must not tell where they are.
     */
    public record PrintedCard(UUID pupilId, String givenName, String familyName, boolean protectedIdentity, String url, QrCode qr,
                              List<Picture> pictures) {
    }

    public record PrintSheet(Teaching.TaughtClass taught, List<PrintedCard> cards) {
    }

    /** Asked about a class the teacher does not teach today, or a pupil not in it. */
    public static final class NotYourPupil extends RuntimeException {
        NotYourPupil() {
            super("not a class or pupil of this teacher");
        }
    }

    private final Teaching teaching;
    private final PersonAccounts accounts;
    private final SignInCards cards;

    MyClasses(Teaching teaching, PersonAccounts accounts, SignInCards cards) {
        this.teaching = teaching;
        this.accounts = accounts;
        this.cards = cards;
    }

    public List<Teaching.TaughtClass> classes(UUID teacher) {
        return teaching.classesOf(teacher);
    }

    public ClassPage page(UUID teacher, UUID classId) {
        Teaching.TaughtClass taught = teaching.taughtClass(teacher, classId).orElseThrow(NotYourPupil::new);
        List<Teaching.Pupil> pupils = teaching.pupilsOf(teacher, classId);
        List<UUID> ids = pupils.stream().map(Teaching.Pupil::id).toList();
        Map<UUID, String> usernames = accounts.usernames(ids);
        Map<UUID, SignInCards.Status> status = cards.statusOf(ids);
        return new ClassPage(taught, pupils.stream()
                .map(p -> new PupilRow(p.id(), p.givenName(), p.familyName(), usernames.get(p.id()), status.get(p.id()))).toList());
    }

    /** The class, if the teacher teaches it today: no pupils are looked at (nor audited as seen). */
    public Teaching.TaughtClass taught(UUID teacher, UUID classId) {
        return teaching.taughtClass(teacher, classId).orElseThrow(NotYourPupil::new);
    }

    /** One pupil shown on a page of their own; a protected pupil's showing is audited. */
    public Teaching.Pupil shownPupil(UUID teacher, UUID classId, UUID pupilId) {
        return teaching.pupilShown(teacher, classId, pupilId).orElseThrow(NotYourPupil::new);
    }

    public Teaching.Pupil pupil(UUID teacher, UUID classId, UUID pupilId) {
        return teaching.pupilOf(teacher, classId, pupilId).orElseThrow(NotYourPupil::new);
    }

    /** The pupil's sign-in name, if they have a local account. */
    public Optional<String> username(UUID teacher, UUID classId, UUID pupilId) {
        pupil(teacher, classId, pupilId);
        return accounts.username(pupilId);
    }

    /** Sets (or creates the account with) a pupil's password; PersonAccounts' rules, audited with the teacher as actor. */
    @Transactional
    public void setPassword(UUID teacher, UUID classId, UUID pupilId, String username, String password) {
        pupil(teacher, classId, pupilId);
        accounts.setPassword(pupilId, username, password, teacher.toString());
    }

    /**
     * New sign-in cards — for one pupil of the class, or (pupilId null) for every pupil of it — each replacing
     * the card the pupil had. Empty when this form submission already made its cards (a reload of the print
     * page): they were shown once and are not shown again.
     *
     * @param signInBase where the cards point: this provider's public address
     */
    @Transactional
    public Optional<PrintSheet> makeCards(UUID teacher, UUID classId, UUID pupilId, UUID form, String signInBase) {
        Teaching.TaughtClass taught = teaching.taughtClass(teacher, classId).orElseThrow(NotYourPupil::new);
        // one page's forms share its form token: a submission is that token and what it made cards for
        UUID submission = form == null ? null
                : UUID.nameUUIDFromBytes((form + ":" + classId + ":" + (pupilId == null ? "class" : pupilId)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (cards.madeWith(submission)) {
            return Optional.empty();
        }
        // the sheet prints the pupils' names: a protected pupil's printing is a showing, audited (pupilsOf, pupilShown)
        List<Teaching.Pupil> pupils = pupilId == null ? teaching.pupilsOf(teacher, classId)
                : List.of(teaching.pupilShown(teacher, classId, pupilId).orElseThrow(NotYourPupil::new));
        Map<UUID, String> firstNames = new LinkedHashMap<>();
        pupils.forEach(p -> firstNames.put(p.id(), p.givenName()));
        Map<UUID, Teaching.Pupil> byId = new LinkedHashMap<>();
        pupils.forEach(p -> byId.put(p.id(), p));
        String base = signInBase.replaceAll("/+$", "") + CardSignInFilter.PATH + "/";
        List<PrintedCard> printed = cards.make(firstNames, teacher.toString(), submission, Map.of("class", classId.toString())).stream()
                .map(m -> new PrintedCard(m.pupilId(), m.firstName(), byId.get(m.pupilId()).familyName(), byId.get(m.pupilId()).protectedIdentity(),
                        base + m.token(), QrCode.of(base + m.token()),
                        m.pictures()))
                .toList();
        return Optional.of(new PrintSheet(taught, printed));
    }

    /** Ends the pupil's card at once; false when they had none. */
    @Transactional
    public boolean revokeCard(UUID teacher, UUID classId, UUID pupilId) {
        pupil(teacher, classId, pupilId);
        return cards.revoke(pupilId, teacher.toString(), Map.of("class", classId.toString()));
    }
}
