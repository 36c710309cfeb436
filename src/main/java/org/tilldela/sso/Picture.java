package org.tilldela.sso;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The pictures of a picture password, in the order the picking page always shows them (children remember
 * where a picture is as much as what it is). Each is drawn in {@code templates/sso/pictures.html} and named
 * in the message bundles ({@code sso.picture.*}), so a screen reader reads its name.
 *
 * <p>A picture password is {@link #LENGTH} pictures in a row, repeats allowed: 12⁴ = 20,736 possibilities,
 * which is why it is only ever the second half of a card sign-in, throttled, and the card locks after a few
 * wrong tries (as Unilogin gives its youngest pupils four pictures).
 */
public enum Picture {
    SUN, MOON, STAR, HEART, TREE, FLOWER, APPLE, FISH, HOUSE, BOAT, CAT, CAR;

    public static final int LENGTH = 4;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new picture password, drawn at random (a teacher hands it to the pupil on the teacher's sheet). */
    static List<Picture> newPassword() {
        List<Picture> pictures = new ArrayList<>(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            pictures.add(values()[RANDOM.nextInt(values().length)]);
        }
        return List.copyOf(pictures);
    }

    /** What is hashed and compared: the names in order, e.g. {@code SUN-CAT-CAT-BOAT}. */
    static String encode(List<Picture> pictures) {
        return pictures.stream().map(Enum::name).collect(Collectors.joining("-"));
    }

    /** Pictures picked so far, as the picking form carries them ("SUN,CAT"); anything unknown makes it empty. */
    public static List<Picture> parse(String picked) {
        if (picked == null || picked.isBlank()) {
            return List.of();
        }
        List<Picture> pictures = new ArrayList<>();
        for (String name : picked.split(",")) {
            Optional<Picture> picture = Arrays.stream(values()).filter(p -> p.name().equals(name.strip())).findFirst();
            if (picture.isEmpty() || pictures.size() == LENGTH) {
                return List.of();
            }
            pictures.add(picture.get());
        }
        return List.copyOf(pictures);
    }

    /** The pictures picked after this press: those picked before plus {@code pick}; none after "start over". */
    public static List<Picture> afterPick(String picked, String pick, boolean clear) {
        List<Picture> before = parse(picked);
        List<Picture> now = parse(pick);
        if (clear) {
            return List.of();
        }
        if (now.size() != 1 || before.size() >= LENGTH) {
            return before;
        }
        List<Picture> after = new ArrayList<>(before);
        after.add(now.getFirst());
        return List.copyOf(after);
    }

    public static String join(List<Picture> pictures) {
        return pictures.stream().map(Enum::name).collect(Collectors.joining(","));
    }
}
