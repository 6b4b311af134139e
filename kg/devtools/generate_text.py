"""The free text of a generated document: body paragraphs with floating footnote markers, signatures.

Sentences come from a per-seed pool built from small word lists (plausible letter prose, no passage of the
seed), so a 100k-document corpus costs a few random draws per paragraph, not per word. What matters for
the parser is kept exact: which note numbers are marked, where, and in which damaged form.
"""

from __future__ import annotations

import random

from kg.devtools.generate_vocab import PEOPLE, PLACES, PSEUDONYMS, Person

_SUBJECTS = ("The commission", "The Central Committee", "Our apparatus", "The regional committee", "The Politburo",
             "The commissariat", "The local organization", "The trade union", "The delegation", "The plenum",
             "The old man", "The editorial board", "The secretariat", "The provincial committee", "Everyone here",
             "The military council", "Comrade {S}", "{S}", "{P}")
_VERBS = ("has decided", "refuses", "asks", "intends", "has failed", "is preparing", "promised", "does not want",
          "has agreed", "insists on trying", "wants", "is afraid", "was unable", "will try", "forgot")
_INFINITIVES = ("to review the question of {O}", "to send {O} to the south", "to postpone {O}", "to settle {O}",
                "to report on {O}", "to discuss {O} once more", "to check {O}", "to support {O}",
                "to take {O} seriously", "to publish {O}", "to reorganize {O}")
_OBJECTS = ("the fuel supply", "the regional budget", "the party apparatus", "the wages of transport workers",
            "the grain procurement", "the new appointments", "the work of the commission", "the ciphers",
            "the situation in the Caucasus", "the affairs of the railways", "the local cadres", "the press",
            "the trade agreement", "the army supply", "the letter to the provincial committees")
_COMPLEMENTS = ("without delay", "as soon as possible", "before the plenum", "in the coming days",
                "at the next meeting", "in the most serious way", "without the permission of the Central Committee",
                "by all means", "this week", "in a comradely way", "after the congress", "")
_OPENERS = ("Frankly speaking", "As you know", "In short", "Meanwhile", "Apparently", "Unfortunately", "By the way",
            "In any case", "As far as I can see", "To tell the truth")
_STATES = ("very difficult", "extremely tense", "quite satisfactory", "much better than before", "unclear",
           "getting worse", "not bad at all")
_MY_VERBS = ("am sending you", "ask you to look at", "do not understand", "have already written about",
             "will tell you about", "cannot agree with", "am worried about")
_PHRASES = ("a purely technical question", "the line of the center", "a dead end", "our common cause",
            "an internal matter")
_CLOSINGS = ("I kiss you hard.", "With comradely greetings,", "I shake your hand.", "Greetings to all friends.",
             "Write a couple of words.", "Well, that is all for now.")
_TEMPLATES = ("{Sub} {V} {I} {C}.", "{Op}, {sub} {V} {I}.", "I {M} {O} {C}.",
              "The situation is {St}, but {sub} {V} {I}.",
              "{Sub} calls it \u201c{Ph}\u201d.", "Greetings to {F} and all comrades.", "Ask {S} {I} {C}.",
              "{Op}, I {M} {O}.")
_TEMPLATE_WEIGHTS = (30, 20, 15, 12, 5, 3, 6, 9)


def _fill(rng: random.Random, template: str) -> str:
    person = rng.choice(PEOPLE)
    surname = person.surname
    if rng.random() < 0.06:  # editorial completion: Gro[mov]
        surname = f"{surname[:3]}[{surname[3:]}]"
    subject = rng.choice(_SUBJECTS).format(S=surname, P=rng.choice(PSEUDONYMS))
    infinitive = rng.choice(_INFINITIVES).format(O=rng.choice(_OBJECTS))
    common = subject.split(" ")[0] in ("The", "Our", "Everyone")
    text = template.format(Sub=subject, sub=subject[0].lower() + subject[1:] if common else subject,
                           V=rng.choice(_VERBS), I=infinitive, C=rng.choice(_COMPLEMENTS), Op=rng.choice(_OPENERS),
                           M=rng.choice(_MY_VERBS), O=rng.choice(_OBJECTS), St=rng.choice(_STATES),
                           Ph=rng.choice(_PHRASES), F=person.first, S=surname)
    return text.replace(" .", ".")


def _numeric(rng: random.Random) -> str:
    """Numbers a body really carries, which a marker reader must not take for footnote markers."""
    n, roman = rng.randint(2, 30), ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
    return rng.choice((
        f"We have {rng.choice(('11,000', '2000', '350'))} rifles and {rng.randint(2, 90)} machine guns.",
        f"The commissariat was credited with {rng.randint(1, 9)},{rng.randint(100, 999)},000 rubles.",
        f"The question must be decided within {rng.randint(2, 9)} [th] days.",
        f"On {n}/{rng.choice(roman)} the commission met again.",
        f"The budget for [19]{rng.randint(19, 27)} is not yet approved.",
        f"The resolutions of the {n}th Congress are poorly carried out.",
        f"About {rng.randint(2, 40)} thousand workers were on strike for {rng.randint(2, 12)} days.",
    ))


def sentence_pool(rng: random.Random, size: int = 3000) -> list[str]:
    """Sentences for a whole corpus; a few carry numbers, a no-break space or an omission mark, as real
    pages do."""
    pool = []
    for _ in range(size):
        if rng.random() < 0.06:
            pool.append(_numeric(rng))
            continue
        s = _fill(rng, rng.choices(_TEMPLATES, _TEMPLATE_WEIGHTS)[0])
        roll = rng.random()
        if roll < 0.02:
            s = s.replace(" ", "\u00a0", 1)
        elif roll < 0.04:
            s = s[:-1] + " [...]."
        pool.append(s)
    return pool


def body_paragraphs(rng: random.Random, pool: list[str], telegram: bool) -> list[str]:
    """3-7 paragraphs of 2-5 sentences (about 1-2 KB); numbered points now and then; telegrams in capitals."""
    count = rng.randint(2, 4) if telegram else rng.randint(3, 7)
    paras = [" ".join(rng.choices(pool, k=rng.randint(2, 5))) for _ in range(count)]
    if not telegram and rng.random() < 0.15:
        paras = [f"{i}. {p}" for i, p in enumerate(paras, 1)]
    if rng.random() < 0.04:  # a 'No.' that is not a document number
        paras[-1] += rng.choice((" He lives in house No. 11 now.", " See issue No. 3 of the journal."))
    if telegram:
        paras = [p.upper() for p in paras]
        if rng.random() < 0.2:
            paras[0] = paras[0].replace(" ", " (distortion) ", 1)
    return paras


def _mark_word(rng: random.Random, words: list[str], i: int, n: int) -> None:
    """Attach note marker n to words[i] the way the translation damaged it: 'word 1 .', 'word1', '3and'."""
    w = words[i]
    if w[-1] in ".,;!?":
        core, p = w[:-1], w[-1]
        words[i] = rng.choice((f"{core} {n} {p}", f"{core}{n}{p}", f"{core} {n}{p}"))
        return
    roll = rng.random()
    if roll < 0.15 and i + 1 < len(words) and words[i + 1][0].isalpha():
        words[i + 1] = f"{n}{words[i + 1]}"  # glued to the next word
    else:
        words[i] = rng.choice((f"{w} {n}", f"{w}{n}"))


def _slot_ok(words: list[str], i: int) -> bool:
    """A word that can carry a marker: a word (not a number, bracket or quote) not followed by a number."""
    w = words[i]
    return w[0].isalpha() and w[-1] not in "]\u201d" and not words[i + 1][0].isdigit() and not any(
        c.isdigit() for c in w)


def _pick_slots(rng: random.Random, split: list[list[str]], k: int) -> list[tuple[int, int]]:
    """k distinct, non-adjacent (paragraph, word) positions, drawn without listing every word."""
    sizes = [max(len(ws) - 2, 0) for ws in split]  # neither the first nor the last word of a paragraph
    total, chosen = sum(sizes), set()
    for _ in range(60 * k if total else 0):
        if len(chosen) == k:
            break
        r, pi = rng.randrange(total), 0
        while r >= sizes[pi]:
            r, pi = r - sizes[pi], pi + 1
        slot = (pi, r + 1)
        near = {(pi, r), (pi, r + 1), (pi, r + 2)}
        if not near & chosen and _slot_ok(split[pi], r + 1):
            chosen.add(slot)
    return sorted(chosen)


def place_markers(rng: random.Random, paras: list[str], numbers: list[int]) -> list[str]:
    """Put the markers of `numbers` into the paragraphs in reading order, at most one per word.

    Returns the paragraphs and drops from `numbers` (in place) any marker that found no word."""
    split = [p.split(" ") for p in paras]
    chosen = _pick_slots(rng, split, len(numbers))
    del numbers[len(chosen):]
    for k, (pi, wi) in reversed(list(enumerate(chosen))):  # right to left: glued markers see clean words
        _mark_word(rng, split[pi], wi, numbers[k])
    return [" ".join(ws) for ws in split]


def greeting(rng: random.Random, recipient: Person | None, telegram: bool, others: list[Person]) -> str | None:
    """'Dear Sergo!'-style opening, or a telegram's address line ('TO IVANOV, copy TO PETROV')."""
    if telegram:
        names = [p.surname.upper() for p in ([recipient] if recipient else []) + others][:2] or ["CENTRAL COMMITTEE"]
        if len(names) == 2:
            return f"TO {names[0]}, copy TO {names[1]}"
        return f"{rng.choice(PLACES).upper()}. TO {names[0]}."
    if rng.random() < 0.2:
        return None
    if recipient is None:
        return rng.choice(("Dear comrades!", "Dear comrades."))
    return rng.choice((f"Dear {recipient.first}!", f"Dear comrade {recipient.surname}!", "Dear comrade.",
                       f"Hello, dear {recipient.first}!"))


def closing(rng: random.Random) -> str | None:
    return rng.choice(_CLOSINGS) if rng.random() < 0.5 else None


def signature_lines(rng: random.Random, persons: list[Person], telegram: bool) -> list[str]:
    """Nicknames, first names, initials and surnames as signatures; joint letters list every signer."""
    if not persons:
        return [f"SECRETARY OF THE CC {rng.choice(PEOPLE).surname.upper()}."] if telegram else []
    if len(persons) > 1:
        return [f"{p.first[0]}. {p.surname}" for p in persons]
    p = persons[0]
    if telegram:
        return [rng.choice((f"{p.surname.upper()}.", f"SECRETARY OF THE CC {p.surname.upper()}."))]
    return [rng.choice((f"Your {p.first}.", p.pseudonym, p.initials, f"I shake hands with {p.first[0]}. {p.surname}",
                        f"{p.first[0]}. {p.surname}.", f"Your {p.surname}."))]
