"""The office's weekly and monthly notice: computed (:mod:`.notice`), laid out as a Word
document (:mod:`.document`)."""
