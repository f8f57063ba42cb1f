from django import forms
from django.utils.translation import gettext_lazy as _


class TransitionForm(forms.Form):
    """A workflow button's form: the comment (required to return) and the version the page
    showed, so a click on a stale page is refused instead of acting on newer content."""

    comment = forms.CharField(label=_("comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
