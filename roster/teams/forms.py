"""Forms of the team page: the swaps it carries in its address."""

from wtforms import Field, Form


class Repeated(Field):
    """Every value of a name the address repeats (``?swap=R1:a&swap=R2:b``), in order."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(valuelist)

    def _value(self) -> str:
        return ""


class SwapsForm(Form):
    """The swaps made so far, read from the address (a GET form: nothing is saved)."""

    swap = Repeated(default=list)
