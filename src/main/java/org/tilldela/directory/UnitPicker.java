package org.tilldela.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;
import org.tilldela.governance.CallerScope;
import org.tilldela.platform.PickerChoice;

/**
 * The choices of a picker of organisers and school units (templates/pickers.html), within what the account may see:
 * the one already chosen first (checked), then those whose name holds the words. Each is told apart from a like-named
 * one by what it is, its code and the unit above it ("Skolenhet 12345678 · Provby kommun").
 */
@Component
public class UnitPicker {

    private final OrganisationBrowser organisations;
    private final MessageSource messages;

    UnitPicker(OrganisationBrowser organisations, MessageSource messages) {
        this.organisations = organisations;
        this.messages = messages;
    }

    /** Null while too few letters are typed and nothing is chosen: the picker then asks for words. */
    public List<PickerChoice> choices(String words, CallerScope scope, boolean organisersOnly, UUID chosen) {
        List<PickerChoice> out = new ArrayList<>();
        if (chosen != null) {
            List<OrganisationBrowser.UnitName> trail = organisations.ancestry(chosen, scope);
            if (!trail.isEmpty()) {
                out.add(new PickerChoice(chosen.toString(), trail.getLast().name(), trail.size() > 1 ? trail.get(trail.size() - 2).name() : null, true));
            }
        }
        if (!PickerChoice.enough(words)) {
            return out.isEmpty() ? null : out;
        }
        organisations.pickable(words, scope, organisersOnly, PickerChoice.LIMIT).stream().filter(o -> !o.id().equals(chosen))
                .forEach(o -> out.add(new PickerChoice(o.id().toString(), o.name(), detail(o), false)));
        return out;
    }

    private String detail(OrganisationBrowser.Pickable o) {
        String kind = messages.getMessage("kind." + o.kind(), null, o.kind(), LocaleContextHolder.getLocale());
        return kind + (o.code() != null ? " " + o.code() : "") + (o.parentName() != null ? " · " + o.parentName() : "");
    }
}
