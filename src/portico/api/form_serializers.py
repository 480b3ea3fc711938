"""Feedback forms over the wire: the forms open to the caller with their questions, and
an answer. The answer is only parsed here (an object of question ids to values); its
rules are `surveys.feedback.submit`'s, so the API refuses with the portal page's words."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portico.surveys.models import Form, Question, Response


class QuestionSerializer(serializers.ModelSerializer[Question]):
    choices = serializers.SerializerMethodField(help_text="The answers offered (choice kinds).")

    class Meta:
        model = Question
        fields = ("id", "position", "kind", "label", "help", "required", "choices", "rating_max")
        read_only_fields = fields

    def get_choices(self, question: Question) -> list[str]:
        return question.options


class FormSerializer(serializers.ModelSerializer[Form]):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Form
        fields = (
            "id",
            "title",
            "introduction",
            "opens_at",
            "closes_at",
            "one_answer_per_person",
            "anonymous",
            "questions",
        )
        read_only_fields = fields


class AnswersSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Question id → answer: text, a choice, a list of choices (multiple), a "
        "rating (a whole number from 1) or a date (YYYY-MM-DD). Leave a question out to "
        "leave it unanswered.",
    )


class ResponseSerializer(serializers.ModelSerializer[Response]):
    anonymous = serializers.BooleanField(source="form.anonymous", read_only=True)

    class Meta:
        model = Response
        fields = ("form", "submitted_at", "anonymous")
        read_only_fields = fields
