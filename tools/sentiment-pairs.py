#!/usr/bin/env python3
"""Writes contrastive sentiment pairs as JSONL ({"positive", "negative", "split"}): the same sentence
with a glad and a grim reading, from fixed subjects and phrase pairs. Every fifth subject's pairs
are the valid split, so held-out pairs share no subject with the training ones. Deterministic.
    python3 tools/sentiment-pairs.py > pairs.jsonl"""
import json

SUBJECTS = [
    "The dinner", "The journey", "The letter from home", "The new house", "The meeting", "The old garden",
    "The school play", "The morning walk", "The long winter", "The concert", "The visit to the city",
    "The news from the farm", "The wedding", "The first day at work", "The trip to the lake",
    "The game on Saturday", "The party at the church", "The summer", "The talk with his father", "The book",
]
PHRASES = [  # (glad, grim)
    ("was wonderful, and everyone was happy", "was terrible, and everyone was miserable"),
    ("went well, and we laughed all evening", "went badly, and we quarrelled all evening"),
    ("made her smile with joy", "made her weep with grief"),
    ("was a delight from beginning to end", "was a misery from beginning to end"),
    ("left us hopeful and warm", "left us bitter and cold"),
    ("was the best thing that happened to him", "was the worst thing that happened to him"),
]


def main():
    for s, subject in enumerate(SUBJECTS):
        split = "valid" if s % 5 == 4 else "train"
        for glad, grim in PHRASES:
            print(json.dumps({"positive": f"{subject} {glad}.", "negative": f"{subject} {grim}.", "split": split}))


if __name__ == "__main__":
    main()
