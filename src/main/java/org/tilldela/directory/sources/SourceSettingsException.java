package org.tilldela.directory.sources;

/**
 * A source's settings are wrong, said in plain words: the message in English (the API's answer), and a message key
 * with its arguments (sources.error.*) so the web form says it in the reader's language.
 */
public class SourceSettingsException extends IllegalArgumentException {

    private final String key;
    private final transient Object[] arguments;

    public SourceSettingsException(String key, String english, Object... arguments) {
        super(english);
        this.key = key;
        this.arguments = arguments;
    }

    /** The message key (messages*.properties). */
    public String key() {
        return key;
    }

    public Object[] arguments() {
        return arguments.clone();
    }
}
