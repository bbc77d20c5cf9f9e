"""Parse the shell language Android's ``/system/bin/sh`` (mksh) reads into a small syntax tree.

Lists ``;`` ``&`` newlines, ``&&`` ``||``, pipelines ``|`` ``!``, subshells ``( ... )`` and groups ``{ ...; }``,
``if/then/elif/else/fi``, ``while``/``until ... do ... done``, ``for NAME [in WORDS]; do ... done``,
``case WORD in PATTERN|PATTERN) ... ;; esac``, functions (``name() { ...; }``, ``function name { ...; }``),
assignments and redirections; words and their expansions come from ``lex``. ``ParseError`` carries mksh's
message; ``Incomplete`` says the input stopped inside a construct. Written here rather than taken from a
library: ``bashlex`` (the maintained Python one) is GPL-3 and parses bash, not the mksh subset toybox uses.
"""

from __future__ import annotations

from .lex import NAME_CHARS, Incomplete, Op, ParseError, Part, Word, tokenize
from .syntax import AndOr, Case, Command, Compound, For, Function, If, Loop, Pipeline, Redirect, Script

__all__ = ["AndOr", "Case", "Command", "Compound", "For", "Function", "If", "Incomplete", "Loop", "ParseError",
           "Part", "Pipeline", "Redirect", "Script", "Word", "parse", "tokenize"]  # fmt: skip

REDIRECTS = (">", ">>", "<", ">&", "<&")
CLOSERS = {"then", "elif", "else", "fi", "do", "done", "esac", "}"}


def _is_assignment(word: Word) -> bool:
    first = word.parts[0] if word.parts else None
    if first is None or first.kind != "lit" or first.quoted or "=" not in first.text:
        return False
    name = first.text.split("=", 1)[0]
    return bool(name) and not name[0].isdigit() and set(name) <= NAME_CHARS


def _split_assignment(word: Word) -> tuple[str, Word]:
    first = word.parts[0]
    name, rest = first.text.split("=", 1)
    return name, Word([Part("lit", rest, False), *word.parts[1:]])


def _what(tok: Word | Op | None) -> str:
    if tok is None:
        return "end of input"
    text = tok.text if isinstance(tok, Op) else (tok.literal or "word")
    return "newline" if text == "\n" else text


class Parser:
    def __init__(self, tokens: list[Word | Op]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Word | Op | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def peek_op(self, *ops: str) -> bool:
        tok = self.peek()
        return isinstance(tok, Op) and tok.text in ops

    def peek_word(self, *words: str) -> bool:
        tok = self.peek()
        return isinstance(tok, Word) and tok.literal in words and not any(p.quoted for p in tok.parts)

    def expect_word(self, word: str, construct: str) -> None:
        self.skip_newlines()
        if not self.peek_word(word):
            tok = self.peek()
            error = Incomplete if tok is None else ParseError
            raise error(f"syntax error: '{_what(tok)}' unexpected (expecting '{word}' in {construct})")
        self.pos += 1

    def skip_newlines(self) -> None:
        while self.peek_op("\n"):
            self.pos += 1

    def script(self, closing: str | None = None, words: frozenset[str] = frozenset()) -> Script:
        """A list, up to ``closing`` (an operator) or one of ``words`` at a command's start, or the end."""
        script = Script()
        while True:
            while self.peek_op(";", "&", "\n"):
                self.pos += 1
            tok = self.peek()
            if tok is None or (closing and self.peek_op(closing)) or self.peek_word(*words) or self.peek_op(";;"):
                return script
            script.items.append(self.and_or())
            if self.peek() is not None and not self.peek_op(";", "&", "\n", ";;", *((closing,) if closing else ())):
                raise ParseError(f"syntax error: '{_what(self.peek())}' unexpected")

    def and_or(self) -> AndOr:
        node = AndOr(self.pipeline())
        while self.peek_op("&&", "||"):
            op = self.tokens[self.pos].text  # type: ignore[union-attr]
            self.pos += 1
            self.skip_newlines()
            if self.peek() is None:
                raise Incomplete(f"syntax error: unexpected end of input after '{op}'")
            node.rest.append((op, self.pipeline()))
        return node

    def pipeline(self) -> Pipeline:
        negate = self.peek_word("!")
        if negate:
            self.pos += 1
        commands = [self.command()]
        while self.peek_op("|"):
            self.pos += 1
            self.skip_newlines()
            commands.append(self.command())
        return Pipeline(commands, negate)

    def command(self) -> Command:
        cmd = Command()
        if self.peek_op("("):
            self.pos += 1
            cmd.subshell = self.script(closing=")")
            if not self.peek_op(")"):
                raise Incomplete("syntax error: unexpected end of input, expecting ')'")
            self.pos += 1
        elif compound(self, cmd):
            pass
        elif self.peek_word(*CLOSERS):
            raise ParseError(f"syntax error: '{_what(self.peek())}' unexpected")
        self.simple(cmd)
        if not (cmd.words or cmd.assigns or cmd.redirects or cmd.subshell or cmd.group or cmd.compound):
            raise ParseError(f"syntax error: '{_what(self.peek())}' unexpected")
        return cmd

    def simple(self, cmd: Command) -> None:
        """Words, assignments and redirections (after a compound command: redirections only)."""
        structured = cmd.subshell is not None or cmd.group is not None or cmd.compound is not None
        while True:
            tok = self.peek()
            if isinstance(tok, Word) and not structured:
                self.pos += 1
                if not cmd.words and _is_assignment(tok):
                    cmd.assigns.append(_split_assignment(tok))
                else:
                    cmd.words.append(tok)
            elif isinstance(tok, Op) and tok.text in REDIRECTS:
                self.pos += 1
                target = self.peek()
                if not isinstance(target, Word):
                    raise ParseError(f"syntax error: '{tok.text}' unexpected")
                self.pos += 1
                default_fd = 0 if tok.text in ("<", "<&") else 1
                op = ">&" if tok.text == "<&" else tok.text
                cmd.redirects.append(Redirect(default_fd if tok.fd is None else tok.fd, op, target))
            else:
                return


# ---------------------------------------------------------------- compound commands


def compound(p: Parser, cmd: Command) -> bool:
    """Parse a compound command at the parser's position into ``cmd``; False when there is none."""
    tok = p.peek()
    if not isinstance(tok, Word) or any(part.quoted for part in tok.parts):
        return False
    word = tok.literal
    parsers = {"if": _if, "while": _loop, "until": _loop, "for": _for, "case": _case, "{": _group,
               "function": _function}  # fmt: skip
    if word in parsers:
        p.pos += 1
        parsers[word](p, cmd, word)
        return True
    nxt, after = (p.tokens[p.pos + k] if p.pos + k < len(p.tokens) else None for k in (1, 2))
    if word and set(word) <= NAME_CHARS | {"-", "."} and _is_op(nxt, "(") and _is_op(after, ")"):
        p.pos += 3
        cmd.compound = Function(word, _body(p))
        return True
    return False


def _is_op(tok: Word | Op | None, text: str) -> bool:
    return isinstance(tok, Op) and tok.text == text


def _until(p: Parser, *words: str) -> Script:
    body = p.script(words=frozenset(words))
    if p.peek() is None:
        raise Incomplete(f"syntax error: unexpected end of input (expecting '{words[-1]}')")
    return body


def _if(p: Parser, cmd: Command, _word: str) -> None:
    node = If([])
    while True:
        cond = _until(p, "then")
        p.expect_word("then", "if")
        body = _until(p, "elif", "else", "fi")
        node.branches.append((cond, body))
        if p.peek_word("elif"):
            p.pos += 1
            continue
        if p.peek_word("else"):
            p.pos += 1
            node.otherwise = _until(p, "fi")
        p.expect_word("fi", "if")
        break
    cmd.compound = node


def _do_done(p: Parser, construct: str) -> Script:
    p.expect_word("do", construct)
    body = _until(p, "done")
    p.expect_word("done", construct)
    return body


def _loop(p: Parser, cmd: Command, word: str) -> None:
    cond = _until(p, "do")
    cmd.compound = Loop(word == "until", cond, _do_done(p, word))


def _for(p: Parser, cmd: Command, _word: str) -> None:
    tok = p.peek()
    if not isinstance(tok, Word) or not tok.literal or not set(tok.literal) <= NAME_CHARS:
        raise (Incomplete if tok is None else ParseError)("syntax error: bad for loop variable")
    p.pos += 1
    words: list[Word] | None = None
    p.skip_newlines()
    if p.peek_word("in"):
        p.pos += 1
        words = []
        while isinstance(p.peek(), Word) and not p.peek_word("do"):
            words.append(p.tokens[p.pos])  # type: ignore[arg-type]
            p.pos += 1
    while p.peek_op(";", "\n"):
        p.pos += 1
    cmd.compound = For(tok.literal, words, _do_done(p, "for"))


def _case(p: Parser, cmd: Command, _word: str) -> None:
    subject = p.peek()
    if not isinstance(subject, Word):
        raise (Incomplete if subject is None else ParseError)("syntax error: bad case subject")
    p.pos += 1
    p.expect_word("in", "case")
    arms: list[tuple[list[Word], Script]] = []
    while True:
        p.skip_newlines()
        if p.peek_word("esac"):
            p.pos += 1
            break
        if p.peek() is None:
            raise Incomplete("syntax error: unexpected end of input (expecting 'esac')")
        arms.append((_patterns(p), _arm_body(p)))
    cmd.compound = Case(subject, arms)


def _patterns(p: Parser) -> list[Word]:
    if p.peek_op("("):
        p.pos += 1
    patterns: list[Word] = []
    while True:
        tok = p.peek()
        if not isinstance(tok, Word):
            raise (Incomplete if tok is None else ParseError)(f"syntax error: '{getattr(tok, 'text', '')}' unexpected")
        patterns.append(tok)
        p.pos += 1
        if p.peek_op("|"):
            p.pos += 1
            continue
        if not p.peek_op(")"):
            raise (Incomplete if p.peek() is None else ParseError)("syntax error: expecting ')' in case")
        p.pos += 1
        return patterns


def _arm_body(p: Parser) -> Script:
    body = p.script(words=frozenset({"esac"}))
    if p.peek_op(";;"):
        p.pos += 1
    elif p.peek() is None:
        raise Incomplete("syntax error: unexpected end of input (expecting ';;' or 'esac')")
    return body


def _group(p: Parser, cmd: Command, _word: str) -> None:
    cmd.group = _until(p, "}")
    p.expect_word("}", "group")


def _function(p: Parser, cmd: Command, _word: str) -> None:
    tok = p.peek()
    if not isinstance(tok, Word) or not tok.literal:
        raise (Incomplete if tok is None else ParseError)("syntax error: bad function name")
    p.pos += 1
    if _is_op(p.peek(), "(") and p.pos + 1 < len(p.tokens) and _is_op(p.tokens[p.pos + 1], ")"):
        p.pos += 2
    cmd.compound = Function(tok.literal, _body(p))


def _body(p: Parser) -> Command:
    p.skip_newlines()
    if p.peek() is None:
        raise Incomplete("syntax error: unexpected end of input (expecting a function body)")
    body = p.command()
    if body.group is None and body.compound is None and body.subshell is None:
        raise ParseError("syntax error: a function body must be a compound command")
    return body


def parse(src: str) -> Script:
    """Parse a whole command line; raises ``ParseError`` (``Incomplete`` when it ends inside a construct)."""
    parser = Parser(tokenize(src))
    script = parser.script()
    if parser.peek() is not None:
        raise ParseError(f"syntax error: '{_what(parser.peek())}' unexpected")
    return script
