<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>IdleWarning</name>
    <message numerus="yes">
        <source>%n seconds</source>
        <translation>
            <numerusform>%n second</numerusform>
            <numerusform>%n seconds</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PracticeScreen</name>
    <message numerus="yes">
        <source>Nothing of it was recorded. The interview has %n questions. Each answer is recorded once you start it.</source>
        <translation>
            <numerusform>Nothing of it was recorded. The interview has %n question. Each answer is recorded once you start it.</numerusform>
            <numerusform>Nothing of it was recorded. The interview has %n questions. Each answer is recorded once you start it.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The interview has %n questions. For each one you first get time to think, then the recording starts. You can try a practice question first: it is not recorded.</source>
        <translation>
            <numerusform>The interview has %n question. You first get time to think, then the recording starts. You can try a practice question first: it is not recorded.</numerusform>
            <numerusform>The interview has %n questions. For each one you first get time to think, then the recording starts. You can try a practice question first: it is not recorded.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QuestionScreen</name>
    <message numerus="yes">
        <source>%n tries left</source>
        <translation>
            <numerusform>%n try left</numerusform>
            <numerusform>%n tries left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>You can try again %n more times. A new answer replaces this one.</source>
        <translation>
            <numerusform>You can try again %n more time. A new answer replaces this one.</numerusform>
            <numerusform>You can try again %n more times. A new answer replaces this one.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Try again (%n left)</source>
        <translation>
            <numerusform>Try again (%n left)</numerusform>
            <numerusform>Try again (%n left)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WelcomeScreen</name>
    <message numerus="yes">
        <source>This booth records a short video interview: %n questions, one at a time. You can see yourself, and practise first.</source>
        <translation>
            <numerusform>This booth records a short video interview: %n question, one at a time. You can see yourself, and practise first.</numerusform>
            <numerusform>This booth records a short video interview: %n questions, one at a time. You can see yourself, and practise first.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>This booth records a short video interview: %n questions, one at a time. You can see yourself.</source>
        <translation>
            <numerusform>This booth records a short video interview: %n question, one at a time. You can see yourself.</numerusform>
            <numerusform>This booth records a short video interview: %n questions, one at a time. You can see yourself.</numerusform>
        </translation>
    </message>
</context>
</TS>
