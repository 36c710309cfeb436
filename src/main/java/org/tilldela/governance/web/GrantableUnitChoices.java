package org.tilldela.governance.web;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.tilldela.governance.AdminGrants;
import org.tilldela.platform.PickerChoice;

/**
 * The choices of a picker of organisation units an account administrator may grant over or review (the grant form, the
 * access reviews): those already chosen first (checked), then those whose name holds the words, all within the
 * administrator's own ACCOUNT_ADMIN scope. Null while too few letters are typed and nothing is chosen.
 */
final class GrantableUnitChoices {

    private GrantableUnitChoices() {
    }

    static List<PickerChoice> of(AdminGrants grants, MessageSource messages, String actor, String words, Collection<UUID> chosen) {
        List<PickerChoice> out = new ArrayList<>();
        List<AdminGrants.Unit> kept = chosen == null ? List.of() : grants.grantableUnits(actor, chosen);
        kept.forEach(u -> out.add(choice(u, messages, true)));
        if (!PickerChoice.enough(words)) {
            return out.isEmpty() ? null : out;
        }
        grants.grantableUnits(actor, words, PickerChoice.LIMIT).stream().filter(u -> kept.stream().noneMatch(k -> k.id().equals(u.id())))
                .forEach(u -> out.add(choice(u, messages, false)));
        return out;
    }

    private static PickerChoice choice(AdminGrants.Unit u, MessageSource messages, boolean checked) {
        String kind = messages.getMessage("kind." + u.kind(), null, u.kind(), LocaleContextHolder.getLocale());
        return new PickerChoice(u.id().toString(), u.name(), u.parentName() == null ? kind : kind + " · " + u.parentName(), checked);
    }
}
